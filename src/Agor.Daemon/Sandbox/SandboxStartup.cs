using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Agor.Daemon.Network;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox;

/// <summary>
/// At start: removes what earlier runs left of task cgroups, probes the sandbox as executors
/// will run, logs what was found in one block, and returns the planner every task's spec comes from.
/// </summary>
internal static class SandboxStartup
{
    public static async Task<SandboxPlanner> RunAsync(
        AgorConfig config, string executorPath, ExecutorPool pool, ITaskResourceLimiter limiter, AgentNetwork network, ILogger logger, CancellationToken cancellationToken = default)
    {
        await limiter.CleanStaleAsync(cancellationToken);
        var sudo = SandboxProbe.SudoFor(pool.Mode);
        var executorUser = pool.DefaultUser;
        var (probe, probedAs) = await SandboxProbe.RunAsync(
            executorPath,
            config.Sandbox.BwrapPath,
            sudo is not null && executorUser != Environment.UserName ? sudo : null,
            executorUser,
            SandboxProbe.DefaultTimeout,
            cancellationToken);
        var status = new SandboxStatus(config.Sandbox.Mode, config.Sandbox.BwrapPath, probe, probedAs, limiter.Support, config.Sandbox.PidsMax);
        SandboxLog.Report(logger, status);
        return new SandboxPlanner(config, status, new AgentHomes(config), limiter, network, logger);
    }
}

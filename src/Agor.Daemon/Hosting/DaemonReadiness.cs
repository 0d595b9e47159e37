using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Agor.Daemon.Sandbox;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Hosting;

/// <summary>What the daemon found at start about running tasks here; <c>GET /health</c> reports it.</summary>
internal sealed class DaemonReadiness(IReadOnlyList<ReadinessCheck> checks)
{
    public IReadOnlyList<ReadinessCheck> Checks { get; } = checks;

    /// <summary>Checks each agent in use (its program on the daemon's PATH, which executors inherit, and its service's key), impersonation and the sandbox, and reports them.</summary>
    public static DaemonReadiness Run(AgorConfig config, ImpersonationMode mode, SandboxStatus sandbox, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        var checks = new List<ReadinessCheck>();
        foreach (var agent in ReadinessChecks.AgentsInUse(config))
        {
            checks.Add(ReadinessChecks.Agent(config, Environment.GetEnvironmentVariable("PATH"), agent));
            checks.Add(ReadinessChecks.Key(config, AgentSettings.ServiceFor(agent)!));
        }

        checks.Add(ReadinessChecks.Impersonation(config.Execution, mode));
        checks.Add(ReadinessChecks.Sandbox(sandbox));
        return Report(checks, logger);
    }

    /// <summary>
    /// The checks in order, a warning line for a missing agent program or key (sudo and the sandbox
    /// warn where they are found out), and one line with them all in short.
    /// </summary>
    public static DaemonReadiness Report(IReadOnlyList<ReadinessCheck> checks, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(checks);
        foreach (var check in checks.Where(c => !c.Ok && (c.Name.StartsWith("agent", StringComparison.Ordinal) || c.Name.StartsWith("key", StringComparison.Ordinal))))
        {
            StartupLog.Missing(logger, check.Detail, check.Fix ?? string.Empty);
        }

        StartupLog.Summary(logger, string.Join("; ", checks.Select(c => $"{c.Name} {(c.Ok ? "ok" : "MISSING")}")));
        return new DaemonReadiness(checks);
    }
}

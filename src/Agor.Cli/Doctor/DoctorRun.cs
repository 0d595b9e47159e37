using Agor.Cli.Commands;
using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Doctor;

/// <summary>
/// Every check of <c>agor doctor</c>, in the order a newcomer meets them. A check that needs one
/// which failed (the sandbox needs the executor) is left out; every check that runs is needed for
/// the configured modes, or passes saying it is not.
/// </summary>
internal static class DoctorRun
{
    public static async Task<IReadOnlyList<ReadinessCheck>> RunAsync(AgorHome home, IReadOnlyDictionary<string, string?> variables, CancellationToken cancellationToken = default)
    {
        AgorConfig config;
        try
        {
            config = ConfigLoader.Load(home.Path, variables);
        }
        catch (ConfigException ex)
        {
            return [ReadinessCheck.Fail("config", ex.Message, $"edit {home.ConfigPath} as the message says")];
        }

        var checks = new List<ReadinessCheck>
        {
            File.Exists(home.ConfigPath)
                ? ReadinessCheck.Pass("config", $"{home.ConfigPath} is valid")
                : ReadinessCheck.Pass("config", $"no {home.ConfigPath} yet: every default applies (`agor init` writes one)"),
        };
        var (daemon, pid, limits) = await DaemonCheck.RunAsync(home, cancellationToken);
        checks.Add(daemon);

        var searchPath = variables.GetValueOrDefault("PATH");
        foreach (var agent in ReadinessChecks.AgentsInUse(config))
        {
            checks.Add(await AgentCheck.RunAsync(config, searchPath, agent, cancellationToken));
            checks.Add(ReadinessChecks.Key(config, AgentSettings.ServiceFor(agent)!));
        }

        var executorPath = config.Execution.ExecutorPath is { Length: > 0 } configured ? configured : Path.Combine(AppContext.BaseDirectory, "agor-executor");
        if (!File.Exists(executorPath))
        {
            checks.Add(ReadinessCheck.Fail("executor", $"'{executorPath}' does not exist", "set execution.executor_path (or AGOR_EXECUTOR_PATH) to agor-executor, or reinstall agor"));
        }
        else
        {
            var impersonation = await ImpersonationCheck.RunAsync(config.Execution, executorPath, cancellationToken);
            checks.Add(impersonation);
            var sudoUser = config.Execution.RunAsUnixUser && impersonation.Ok ? config.Execution.ExecutorUnixUser : null;
            checks.AddRange(await SandboxChecks.RunAsync(config.Sandbox, executorPath, sudoUser, cancellationToken));
        }

        checks.Add(CgroupCheck.Run(config.Sandbox, limits));
        checks.Add(DatabaseCheck.Run(config));
        checks.Add(PortCheck.Run(config.Daemon, pid));
        return checks;
    }
}

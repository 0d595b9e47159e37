using Agor.Daemon.Configuration;
using Agor.Daemon.Interop;

namespace Agor.Daemon.Executors;

/// <summary>
/// Builds the command line and the environment of an executor. The environment is an allow-list
/// of harmless variables, never the daemon's own (which may hold API keys and the like).
/// </summary>
internal sealed class ExecutorLauncher(ExecutionSettings settings, string executorPath, ImpersonationMode mode, string? sudoPath)
{
    /// <summary>Variables copied from the daemon's environment when present. Nothing else crosses.</summary>
    private static readonly string[] InheritedVariables = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "DOTNET_ROOT", "AGOR_EXECUTOR_LOG_LEVEL"];

    private readonly int _daemonUid = (int)Native.geteuid();
    private readonly string _daemonUser = System.Environment.UserName;

    public ImpersonationMode Mode => mode;

    /// <summary>Which users a session may name.</summary>
    public UnixUserPolicy Users { get; } = new(settings, System.Environment.UserName, (int)Native.geteuid());

    public string ExecutorPath => executorPath;

    /// <summary>The user an executor runs as when the caller names none.</summary>
    public string DefaultUser => mode == ImpersonationMode.Sudo ? settings.ExecutorUnixUser : _daemonUser;

    public ExecutorLaunchSpec Plan(string? unixUser)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var socketPath = settings.SocketPathTemplate.Replace("{id}", id, StringComparison.Ordinal);
        var user = mode == ImpersonationMode.Sudo ? unixUser ?? settings.ExecutorUnixUser : _daemonUser;
        var throughSudo = mode == ImpersonationMode.Sudo && user != _daemonUser;

        // Checked at the session's creation too; here again, for whatever is stored or asked directly.
        if (mode == ImpersonationMode.Sudo && Users.Problem(user) is { } problem)
        {
            throw new ExecutorStartException(id, $"unix_user '{user}' {problem}");
        }

        var executorArguments = new List<string>
        {
            "--socket", socketPath,
            "--daemon-uid", _daemonUid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--max-line-bytes", settings.MaxLineBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--max-requests-in-flight", settings.MaxRequestsInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--max-batch-size", settings.MaxBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--accept-timeout-ms", settings.ConnectionTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--agent-umask", Convert.ToString(settings.AgentUmask, 8).PadLeft(3, '0'),
        };

        if (!throughSudo)
        {
            return new ExecutorLaunchSpec(id, executorPath, executorArguments, BuildEnvironment(UnixUser.Find(user)), socketPath, user, false, _daemonUid);
        }

        // sudo resets the environment itself (env_reset); the executor learns nothing from ours.
        executorArguments.Add("--die-with-parent");
        var sudoArguments = new List<string> { "-n", "-u", user, "--", executorPath };
        sudoArguments.AddRange(executorArguments);
        var target = UnixUser.Find(user) ?? throw new ExecutorStartException(id, $"the user '{user}' does not exist");
        return new ExecutorLaunchSpec(id, sudoPath!, sudoArguments, BuildEnvironment(null), socketPath, user, true, target.Uid);
    }

    private static Dictionary<string, string> BuildEnvironment(UnixUser? user)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in InheritedVariables)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                environment[name] = value;
            }
        }

        environment.TryAdd("PATH", "/usr/local/bin:/usr/bin:/bin");
        if (user is not null)
        {
            // The daemon's own user: its HOME as the daemon was given it (a service may run with a
            // HOME of its own); another user's comes from sudo.
            environment["HOME"] = System.Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : user.Home;
            environment["USER"] = user.Name;
            environment["LOGNAME"] = user.Name;
        }

        return environment;
    }
}

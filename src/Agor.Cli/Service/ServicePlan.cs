using Agor.Cli.Interop;
using Agor.Cli.Isolation;
using Agor.Daemon.Configuration;

namespace Agor.Cli.Service;

/// <summary>Where the unit goes and what it says, worked out from the request and this process's environment.</summary>
internal sealed record ServicePlan(SystemdUnit Unit, ServicePaths Paths)
{
    public const string UnitName = "agor.service";

    /// <summary>Slack above the daemon's own stop bound before systemd kills what is left.</summary>
    private static readonly TimeSpan StopSlack = TimeSpan.FromSeconds(10);

    public static async Task<ServicePlan> CreateAsync(ServiceRequest request, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken = default)
    {
        var scope = ScopeOf(request);
        var paths = ServicePaths.For(scope, request.Root, environment);
        string? user = null;
        string home;
        if (scope == ServiceScope.System)
        {
            user = request.DaemonUser ?? (environment.GetValueOrDefault("SUDO_USER") is { Length: > 0 } sudoUser ? sudoUser : System.Environment.UserName);
            if (!ConfigLoader.IsValidUserName(user))
            {
                throw new CliException($"--daemon-user: '{user}' is not a valid Unix user name", Commands.ExitCodes.Usage);
            }

            if (user == "root")
            {
                throw new CliException("a system unit would run the daemon as root, which holds every key and runs agents with every right; run `sudo agor service install --system` from the user who should own the daemon, or pass --daemon-user USER", Commands.ExitCodes.Usage);
            }

            // sudo drops AGOR_HOME, so under sudo the default is the daemon user's own ~/.agor.
            home = request.AgorHome is { Length: > 0 } given
                ? Path.GetFullPath(given)
                : environment.GetValueOrDefault("AGOR_HOME") is { Length: > 0 } || (user == System.Environment.UserName && environment.GetValueOrDefault("SUDO_USER") is null or "")
                    ? ConfigLoader.ResolveHome(environment)
                    : Path.Combine(await HomeOfAsync(user, cancellationToken), ".agor");
        }
        else
        {
            home = request.AgorHome is { Length: > 0 } given ? Path.GetFullPath(given) : ConfigLoader.ResolveHome(environment);
        }

        var unit = new SystemdUnit
        {
            Scope = scope,
            AgorCommand = AgorCommand(),
            Home = home,
            User = user,
            Environment = PassedVariables(environment),
            StopTimeout = StopBound(home, environment) + StopSlack,
        };
        return new ServicePlan(unit, paths);
    }

    /// <summary>The scope asked for; without one, the system's when run as root, else the user's.</summary>
    public static ServiceScope ScopeOf(ServiceRequest request) =>
        request.Scope ?? (Native.geteuid() == 0 ? ServiceScope.System : ServiceScope.User);

    /// <summary>
    /// The daemon's own bound on stopping (DaemonHost.StopAsync): the tasks get stop grace + 2 ×
    /// shutdown grace, the pool 3 × shutdown grace + 1 s, the API 5 s. From the home's config when it
    /// is valid, else the defaults.
    /// </summary>
    public static TimeSpan StopBound(string home, IReadOnlyDictionary<string, string?> environment)
    {
        ExecutionSettings execution;
        try
        {
            execution = ConfigLoader.Load(home, environment).Execution;
        }
        catch (Exception ex) when (ex is ConfigException or IOException or UnauthorizedAccessException)
        {
            execution = new ExecutionSettings();
        }

        return TimeSpan.FromMilliseconds(execution.StopGraceMs + (5.0 * execution.ShutdownGraceMs) + 1_000 + 5_000);
    }

    /// <summary>The absolute command that runs this agor: its executable, or <c>dotnet agor.dll</c> when started that way.</summary>
    private static IReadOnlyList<string> AgorCommand()
    {
        var process = System.Environment.ProcessPath ?? throw new CliException("cannot tell where this agor is installed (no process path)");
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            var assembly = Path.Combine(AppContext.BaseDirectory, "agor.dll");
            return [process, assembly];
        }

        return [Path.GetFullPath(process)];
    }

    /// <summary>
    /// PATH as it is now (systemd's default PATH rarely holds the agent program a person installed),
    /// and DOTNET_ROOT where set (a runtime outside the standard places).
    /// </summary>
    private static List<KeyValuePair<string, string>> PassedVariables(IReadOnlyDictionary<string, string?> environment)
    {
        var passed = new List<KeyValuePair<string, string>>();
        foreach (var name in new[] { "PATH", "DOTNET_ROOT" })
        {
            if (environment.GetValueOrDefault(name) is { Length: > 0 } value)
            {
                passed.Add(new(name, value));
            }
        }

        return passed;
    }

    private static async Task<string> HomeOfAsync(string user, CancellationToken cancellationToken)
    {
        var entry = await SystemCommand.RunAsync("getent", ["passwd", user], cancellationToken);
        var fields = entry.Output.Split(':');
        return entry.ExitCode == 0 && fields.Length >= 7 && fields[5].Length > 0
            ? fields[5]
            : throw new CliException($"no such user '{user}' (getent passwd found nothing); pass --daemon-user or --agor-home", Commands.ExitCodes.Usage);
    }
}

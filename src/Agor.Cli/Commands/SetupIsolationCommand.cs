using System.CommandLine;
using Agor.Cli.Interop;
using Agor.Cli.Isolation;
using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;

namespace Agor.Cli.Commands;

/// <summary>
/// <c>sudo agor setup-executor-isolation</c>: the executor user, the installed executor, the
/// sudoers rule and the configuration, each step said as it is done; a second run changes nothing.
/// </summary>
internal static class SetupIsolationCommand
{
    public const string DefaultInstallDirectory = "/usr/local/lib/agor";

    public static Command Create()
    {
        var user = new Option<string>("--user") { Description = "The Unix user executors run as.", DefaultValueFactory = _ => "agor_executor" };
        var daemonUser = new Option<string>("--daemon-user") { Description = "The user the daemon runs as (default: SUDO_USER, else the current user)." };
        var command = new Command("setup-executor-isolation", "Run executors as their own Unix user: creates it, installs the executor, writes the sudoers rule, updates config.yaml (sandbox required), loads the bwrap AppArmor profile where Ubuntu restricts user namespaces (needs root).")
        {
            user,
            daemonUser,
        };
        CliAction.Set(command, (parse, cancellationToken) => RunAsync(parse.GetValue(user)!, parse.GetValue(daemonUser), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string executorUserName, string? daemonUserName, CancellationToken cancellationToken)
    {
        if (Native.geteuid() != 0)
        {
            throw new CliException("setup-executor-isolation changes users and sudoers, so it needs root: run `sudo agor setup-executor-isolation`", ExitCodes.NoPermission);
        }

        daemonUserName ??= Environment.GetEnvironmentVariable("SUDO_USER") is { Length: > 0 } sudoUser ? sudoUser : Environment.UserName;
        foreach (var (what, name) in new[] { ("--user", executorUserName), ("--daemon-user", daemonUserName) })
        {
            if (!ConfigLoader.IsValidUserName(name))
            {
                throw new CliException($"{what}: '{name}' is not a valid Unix user name", ExitCodes.Usage);
            }
        }

        if (executorUserName == daemonUserName)
        {
            throw new CliException($"the executor user must not be the daemon's own user ({daemonUserName}): that would isolate nothing", ExitCodes.Usage);
        }

        var daemonUser = UnixUser.Find(daemonUserName)
            ?? throw new CliException($"the daemon user '{daemonUserName}' does not exist; name it with --daemon-user", ExitCodes.Usage);
        if (SystemCommand.Find("sudo") is null)
        {
            throw new CliException("sudo is not installed; install it (e.g. `apt-get install sudo`) and run this again");
        }

        var home = Environment.GetEnvironmentVariable("AGOR_HOME") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(daemonUser.Home, ".agor");

        var (_, userChanged) = await ExecutorUserStep.EnsureAsync(executorUserName, cancellationToken);
        var (executorPath, installChanged) = ExecutorInstallStep.Install(AppContext.BaseDirectory.TrimEnd('/'), DefaultInstallDirectory);
        var sudoersChanged = await SudoersStep.EnsureAsync(SudoersStep.DefaultPath, daemonUser.Name, executorUserName, executorPath, cancellationToken);
        var configChanged = await ConfigStep.EnsureAsync(home, daemonUser, executorUserName, executorPath, cancellationToken);
        var appArmorChanged = await AppArmorStep.EnsureAsync(
            AppArmorStep.RestrictionPath, AppArmorStep.DefaultProfilePath, SystemCommand.Find("bwrap") ?? "/usr/bin/bwrap", cancellationToken);

        Console.Out.WriteLine(userChanged || installChanged || sudoersChanged || configChanged || appArmorChanged
            ? $"done: the daemon of {daemonUser.Name} runs executors as {executorUserName} once restarted (`agor daemon stop`, then `agor daemon start`)"
            : "nothing changed: executor isolation was already set up");
        return ExitCodes.Ok;
    }
}

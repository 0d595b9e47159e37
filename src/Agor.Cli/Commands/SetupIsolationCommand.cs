using System.CommandLine;
using Agor.Cli.Interop;
using Agor.Cli.Isolation;
using Agor.Daemon.Configuration;

namespace Agor.Cli.Commands;

/// <summary>
/// <c>sudo agor setup-executor-isolation</c>: for one daemon (its user and AGOR_HOME, said first),
/// the executor user, the installed executor, the sudoers rule and the configuration, each step said
/// as it is done and recorded in the home for <c>--undo</c>; a second run changes nothing.
/// </summary>
internal static class SetupIsolationCommand
{
    public const string DefaultExecutorUser = "agor_executor";

    private const string LegacySudoersPath = "/etc/sudoers.d/agor-executor";

    public static Command Create()
    {
        var user = new Option<string>("--user") { Description = $"The Unix user executors run as (default: {DefaultExecutorUser}; with --undo: the one setup recorded)." };
        var daemonUser = new Option<string>("--daemon-user") { Description = "The user the daemon runs as (default: SUDO_USER, who ran sudo, else the current user)." };
        var agorHome = new Option<string>("--agor-home") { Description = "The daemon's AGOR_HOME, whose config.yaml is edited (default: AGOR_HOME, which sudo drops, else ~/.agor of the daemon user)." };
        var undo = new Option<bool>("--undo") { Description = "Remove what setup made for this daemon: its sudoers file, installed executor, config edits, and the executor user and AppArmor profile once no other daemon uses them." };
        var command = new Command("setup-executor-isolation", "Run executors as their own Unix user: creates it, installs the executor, writes the sudoers rule, updates config.yaml (sandbox required), loads the bwrap AppArmor profile where Ubuntu restricts user namespaces (needs root; where sudo does not find agor: sudo \"$(command -v agor)\" ...).")
        {
            user,
            daemonUser,
            agorHome,
            undo,
        };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            RequireRoot(parse.GetValue(undo));
            var target = await IsolationTarget.ResolveAsync(parse.GetValue(daemonUser), parse.GetValue(agorHome), cancellationToken);
            return parse.GetValue(undo)
                ? await IsolationUndo.RunAsync(target, parse.GetValue(user), cancellationToken)
                : await SetupAsync(target, parse.GetValue(user) ?? DefaultExecutorUser, cancellationToken);
        });
        return command;
    }

    private static void RequireRoot(bool undo)
    {
        if (Native.geteuid() != 0)
        {
            var flag = undo ? " --undo" : string.Empty;
            throw new CliException(
                $"setup-executor-isolation changes users and sudoers, so it needs root: run `sudo agor setup-executor-isolation{flag}`"
                + $" (sudo does not look for agor on your PATH, nor keep AGOR_HOME: `sudo \"$(command -v agor)\" setup-executor-isolation{flag} --agor-home \"${{AGOR_HOME:-$HOME/.agor}}\"`)",
                ExitCodes.NoPermission);
        }
    }

    private static async Task<int> SetupAsync(IsolationTarget target, string executorUserName, CancellationToken cancellationToken)
    {
        if (!ConfigLoader.IsValidUserName(executorUserName))
        {
            throw new CliException($"--user: '{executorUserName}' is not a valid Unix user name", ExitCodes.Usage);
        }

        if (executorUserName == target.DaemonUser.Name)
        {
            throw new CliException($"the executor user must not be the daemon's own user ({target.DaemonUser.Name}): that would isolate nothing", ExitCodes.Usage);
        }

        if (SystemCommand.Find("sudo") is null)
        {
            throw new CliException("sudo is not installed; install it (e.g. `apt-get install sudo`) and run this again");
        }

        var earlier = await SetupManifest.ReadAsync(target.ManifestPath, cancellationToken);
        Console.Out.WriteLine($"setup for the daemon of {target.DaemonUser.Name}, AGOR_HOME {target.Home} ({target.HomeSource})");
        Console.Out.WriteLine($"it edits: the user {executorUserName}, {target.InstallDirectory}, {target.SudoersPath}, {Path.Combine(target.Home, ConfigLoader.FileName)}"
            + $" and, where Ubuntu restricts user namespaces, {AppArmorStep.DefaultProfilePath}; it records them in {target.ManifestPath} for --undo");

        var profileExisted = File.Exists(AppArmorStep.DefaultProfilePath);
        var userCreated = false;
        ConfigStepResult? config = null;
        bool installChanged, sudoersChanged, appArmorChanged;
        try
        {
            (_, userCreated) = await ExecutorUserStep.EnsureAsync(executorUserName, cancellationToken);
            (_, installChanged) = ExecutorInstallStep.Install(AppContext.BaseDirectory.TrimEnd('/'), target.InstallDirectory);
            sudoersChanged = await SudoersStep.EnsureAsync(target.SudoersPath, target.DaemonUser.Name, executorUserName, target.ExecutorPath, cancellationToken);
            config = await ConfigStep.EnsureAsync(target.Home, target.DaemonUser, executorUserName, target.ExecutorPath, cancellationToken);
            appArmorChanged = await AppArmorStep.EnsureAsync(
                AppArmorStep.RestrictionPath, AppArmorStep.DefaultProfilePath, SystemCommand.Find("bwrap") ?? "/usr/bin/bwrap", cancellationToken);
        }
        finally
        {
            // Also when a step failed: what was made so far is recorded, so --undo finds it.
            if (Directory.Exists(target.Home))
            {
                var made = new SetupManifest(
                    target.DaemonUser.Name,
                    executorUserName,
                    userCreated,
                    target.SudoersPath,
                    target.InstallDirectory,
                    !profileExisted && File.Exists(AppArmorStep.DefaultProfilePath) ? AppArmorStep.DefaultProfilePath : null,
                    config?.Edits ?? [],
                    config?.Created ?? []);
                await made.After(earlier).WriteAsync(target.ManifestPath, CancellationToken.None);
            }
        }

        if (File.Exists(LegacySudoersPath))
        {
            Console.Out.WriteLine($"note: {LegacySudoersPath} is from an earlier setup, one rule for every daemon; this daemon no longer needs it, remove it once no daemon's config names {SetupLegacyExecutor}");
        }

        Console.Out.WriteLine(userCreated || installChanged || sudoersChanged || config.Changed || appArmorChanged
            ? $"done: the daemon of {target.DaemonUser.Name} runs executors as {executorUserName} once restarted (`agor daemon stop`, then `agor daemon start`); undo: sudo agor setup-executor-isolation --undo --agor-home {target.Home}"
            : "nothing changed: executor isolation was already set up");
        return ExitCodes.Ok;
    }

    private static string SetupLegacyExecutor => Path.Combine(IsolationTarget.InstallRoot, ExecutorInstallStep.ExecutorName);
}

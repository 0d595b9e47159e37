using System.CommandLine;
using Agor.Cli.Service;

namespace Agor.Cli.Commands;

/// <summary><c>agor service install|uninstall</c>: a systemd unit for <c>agor daemon start --foreground</c>.</summary>
internal static class ServiceCommands
{
    public static Command Create()
    {
        return new Command("service", "Run the daemon as a systemd service.") { CreateInstall(), CreateUninstall() };
    }

    private static Command CreateInstall()
    {
        var options = new ScopeOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the unit on stdout and write nothing." };
        var agorHome = new Option<string>("--agor-home") { Description = "AGOR_HOME of the daemon (default: AGOR_HOME, else the daemon user's ~/.agor)." };
        var daemonUser = new Option<string>("--daemon-user") { Description = "With --system: the user the daemon runs as (default: SUDO_USER, else the current user; never root)." };
        var force = new Option<bool>("--force") { Description = "Replace a unit file at that path that agor did not write." };
        var command = new Command("install", "Write a systemd unit that runs `agor daemon start --foreground` (then enable it with systemctl).") { dryRun, agorHome, daemonUser, force };
        options.AddTo(command);
        CliAction.Set(command, (parse, cancellationToken) => InstallAsync(
            options.Read(parse) with { DryRun = parse.GetValue(dryRun), AgorHome = parse.GetValue(agorHome), DaemonUser = parse.GetValue(daemonUser), Force = parse.GetValue(force) },
            cancellationToken));
        return command;
    }

    private static Command CreateUninstall()
    {
        var options = new ScopeOptions();
        var command = new Command("uninstall", "Remove the systemd unit `agor service install` wrote, and its enablement links.");
        options.AddTo(command);
        CliAction.Set(command, (parse, cancellationToken) => UninstallAsync(options.Read(parse), cancellationToken));
        return command;
    }

    private static async Task<int> InstallAsync(ServiceRequest request, CancellationToken cancellationToken)
    {
        var plan = await ServicePlan.CreateAsync(request, CliEnvironment.Variables, cancellationToken);
        var text = plan.Unit.Render();
        var paths = plan.Paths;
        if (request.DryRun)
        {
            await Console.Error.WriteLineAsync($"agor: would write {paths.UnitPath} (nothing written: --dry-run)");
            await Console.Out.WriteAsync(text);
            return ExitCodes.Ok;
        }

        RequireWritable(paths);
        var replaced = ServiceFiles.Write(paths, text, request.Force);
        var runsAs = plan.Unit.User is { } user ? $" as {user}" : string.Empty;
        Console.Out.WriteLine($"{(replaced ? "replaced" : "wrote")} {paths.UnitPath}: runs `agor daemon start --foreground`{runsAs}, AGOR_HOME={plan.Unit.Home}");
        var reloaded = await ReloadSystemdAsync(paths, cancellationToken);
        Console.Out.WriteLine("next:");
        if (!reloaded)
        {
            Console.Out.WriteLine($"  {paths.SystemctlAsTyped} daemon-reload");
        }

        Console.Out.WriteLine($"  {paths.SystemctlAsTyped} enable --now {ServicePlan.UnitName}   # start it now and at every boot");
        Console.Out.WriteLine($"  {paths.Systemctl} status {ServicePlan.UnitName}");
        Console.Out.WriteLine($"  journalctl {(paths.Scope == ServiceScope.User ? "--user " : string.Empty)}-u {ServicePlan.UnitName} -f   # its log");
        Console.Out.WriteLine($"  {paths.SystemctlAsTyped} reload {ServicePlan.UnitName}   # re-read config.yaml after editing it");
        if (paths.Scope == ServiceScope.User)
        {
            Console.Out.WriteLine($"  loginctl enable-linger {Environment.UserName}   # keep it running when you are not logged in");
        }

        Console.Out.WriteLine("  stop a daemon started with `agor daemon start` first: both would use the same home and port");
        return ExitCodes.Ok;
    }

    private static async Task<int> UninstallAsync(ServiceRequest request, CancellationToken cancellationToken)
    {
        var paths = ServicePaths.For(ServicePlan.ScopeOf(request), request.Root, CliEnvironment.Variables);
        if (!File.Exists(paths.UnitPath))
        {
            Console.Out.WriteLine($"no unit at {paths.UnitPath}; nothing to remove");
            return ExitCodes.Ok;
        }

        RequireWritable(paths);
        foreach (var path in ServiceFiles.Remove(paths))
        {
            Console.Out.WriteLine($"removed {path}");
        }

        var reloaded = await ReloadSystemdAsync(paths, cancellationToken);
        Console.Out.WriteLine("next:");
        Console.Out.WriteLine($"  {paths.SystemctlAsTyped} stop {ServicePlan.UnitName}   # if it is still running");
        if (!reloaded)
        {
            Console.Out.WriteLine($"  {paths.SystemctlAsTyped} daemon-reload");
        }

        return ExitCodes.Ok;
    }

    /// <summary>daemon-reload where systemd runs and the unit went to the real root; true when it was done.</summary>
    private static async Task<bool> ReloadSystemdAsync(ServicePaths paths, CancellationToken cancellationToken)
    {
        if (paths.Root is not null || !Systemctl.IsRunning)
        {
            return false;
        }

        if (await Systemctl.DaemonReloadAsync(paths, cancellationToken) is { } failure)
        {
            Console.Out.WriteLine($"{paths.Systemctl} daemon-reload failed: {failure}");
            return false;
        }

        Console.Out.WriteLine($"ran {paths.Systemctl} daemon-reload");
        return true;
    }

    private static void RequireWritable(ServicePaths paths)
    {
        if (paths.Scope == ServiceScope.System && paths.Root is null && Interop.Native.geteuid() != 0)
        {
            throw new CliException($"{paths.UnitPath} is the system's: run it with sudo (e.g. `sudo \"$(command -v agor)\" service ...`), or use --user for your own systemd", ExitCodes.NoPermission);
        }
    }

    /// <summary><c>--system | --user</c> and <c>--root DIR</c>, shared by install and uninstall.</summary>
    private sealed class ScopeOptions
    {
        private readonly Option<bool> _system = new("--system") { Description = "A unit of the system's manager, in /etc/systemd/system (default when run as root)." };
        private readonly Option<bool> _user = new("--user") { Description = "A unit of your own manager, in ~/.config/systemd/user (default otherwise)." };
        private readonly Option<string> _root = new("--root") { Description = "Write below this directory instead of / (as `systemctl --root` does); systemctl is not called." };

        public void AddTo(Command command)
        {
            command.Options.Add(_system);
            command.Options.Add(_user);
            command.Options.Add(_root);
            command.Validators.Add(result =>
            {
                if (result.GetValue(_system) && result.GetValue(_user))
                {
                    result.AddError("--system and --user cannot be used together");
                }
            });
        }

        public ServiceRequest Read(ParseResult parse) => new()
        {
            Scope = parse.GetValue(_system) ? ServiceScope.System : parse.GetValue(_user) ? ServiceScope.User : null,
            Root = parse.GetValue(_root),
        };
    }
}

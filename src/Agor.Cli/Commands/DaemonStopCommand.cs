using System.CommandLine;
using System.Runtime.InteropServices;
using Agor.Cli.Interop;
using Agor.Cli.Runtime;

namespace Agor.Cli.Commands;

/// <summary><c>agor daemon stop</c>: SIGTERM, a bounded wait while it stops its tasks, then SIGKILL.</summary>
internal static class DaemonStopCommand
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for a graceful stop before killing it.", DefaultValueFactory = _ => 30 };
        var command = new Command("stop", "Stop the daemon: gracefully (running tasks are cancelled), then forcefully.") { timeout };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            var files = new DaemonRuntimeFiles(CliEnvironment.Home.Path);
            if (files.ReadRunning() is not { } running)
            {
                // A pid file left by a daemon that was killed names nothing to stop.
                files.Remove();
                Console.Out.WriteLine("the daemon is not running; nothing to stop");
                return ExitCodes.Ok;
            }

            if (Native.kill(running.Pid, Native.SigTerm) != 0 && Marshal.GetLastPInvokeError() == Native.EPerm)
            {
                throw new CliException($"not allowed to signal the daemon (pid {running.Pid}): it runs as another user; stop it as that user", ExitCodes.NoPermission);
            }

            var grace = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout)));
            if (await DaemonProcessProbe.WaitForExitAsync(running.Pid, grace, cancellationToken))
            {
                files.RemoveIfOwnedBy(running.Pid);
                Console.Out.WriteLine($"stopped the daemon (pid {running.Pid})");
                return ExitCodes.Ok;
            }

            Native.kill(running.Pid, Native.SigKill);
            if (!await DaemonProcessProbe.WaitForExitAsync(running.Pid, KillWait, cancellationToken))
            {
                throw new CliException($"the daemon (pid {running.Pid}) survived SIGKILL for {KillWait.TotalSeconds:0} s", ExitCodes.Software);
            }

            files.RemoveIfOwnedBy(running.Pid);
            Console.Out.WriteLine($"the daemon (pid {running.Pid}) did not stop within {grace.TotalSeconds:0} s and was killed; its executors end with it");
            return ExitCodes.Ok;
        });
        return command;
    }
}

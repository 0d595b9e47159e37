using System.Runtime.InteropServices;
using Agor.Cli.Interop;

namespace Agor.Cli.Runtime;

/// <summary>Whether a pid is a live agor daemon, and waiting for one to exit (it is never our child).</summary>
internal static class DaemonProcessProbe
{
    /// <summary>
    /// Alive (not a zombie) and, where /proc tells, running <c>daemon start --foreground</c>: a pid
    /// file left by a killed daemon may name a recycled pid that must not be signalled.
    /// </summary>
    public static bool IsAgorDaemon(int pid)
    {
        if (!IsAlive(pid))
        {
            return false;
        }

        var cmdline = $"/proc/{pid}/cmdline";
        if (!File.Exists(cmdline))
        {
            return !Directory.Exists("/proc/self");
        }

        try
        {
            var arguments = File.ReadAllText(cmdline).Split('\0');
            return arguments.Contains("daemon") && arguments.Contains("--foreground");
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static bool IsAlive(int pid)
    {
        if (Native.kill(pid, 0) != 0 && Marshal.GetLastPInvokeError() != Native.EPerm)
        {
            return false;
        }

        // A daemon whose parent is gone may stay a zombie until init reaps it: that is not running.
        return Agor.Daemon.Interop.ProcessStat.Read(pid) is not { State: 'Z' or 'X' };
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to end; returns whether it did.</summary>
    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var exited = await Task.Run(() => Native.WaitForExit(pid, timeout), cancellationToken);
        if (exited is { } known)
        {
            return known || !IsAlive(pid);
        }

        // No pidfds on this kernel: probe, each step short, the whole bounded.
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        return true;
    }
}

using System.Globalization;
using Agor.Daemon.Executors;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Hosting;

/// <summary>
/// Remembers the executors this daemon started, one file per executor in <c>$AGOR_HOME/run</c>
/// (pid and the kernel's start time of that pid, so a recycled pid is never mistaken for ours).
/// Executors end themselves when the daemon's connection drops; the ledger is the second line: a
/// daemon that was killed ends, at its next start, whatever it left behind.
/// </summary>
internal sealed class ExecutorLedger(string directory, ILogger logger)
{
    public string Directory { get; } = directory;

    /// <summary>Keeps the ledger in step with the pool; call once, before the first executor starts.</summary>
    public void Follow(ExecutorPool pool)
    {
        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        pool.Changed += OnChanged;
    }

    /// <summary>Ends the executors an earlier daemon left running and forgets them. Returns how many were ended.</summary>
    public int EndLeftovers()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return 0;
        }

        var ended = 0;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.pid"))
        {
            if (TryRead(file, out var pid, out var startTime) && ProcessStartTime(pid) == startTime)
            {
                // The executor leads its own process group (it calls setsid); end the group, or at least the process.
                if (Interop.Native.KillGroup(pid, Interop.Native.SigKill) || Interop.Native.Kill(pid, Interop.Native.SigKill))
                {
                    HostLog.EndedLeftover(logger, pid);
                    ended++;
                }
                else
                {
                    HostLog.LeftoverNotEnded(logger, pid);
                }
            }

            File.Delete(file);
        }

        return ended;
    }

    private void OnChanged(ExecutorEvent change)
    {
        var file = Path.Combine(Directory, change.Executor.ExecutorId + ".pid");
        try
        {
            switch (change.Kind)
            {
                case "started" when ProcessStartTime(change.Executor.Pid) is { } startTime:
                    File.WriteAllText(file, string.Create(CultureInfo.InvariantCulture, $"{change.Executor.Pid} {startTime}\n"));
                    break;
                case "stopped" or "reaped" or "crashed":
                    File.Delete(file);
                    break;
            }
        }
        catch (IOException ex)
        {
            HostLog.LedgerFailed(logger, ex, file);
        }
    }

    private static bool TryRead(string file, out int pid, out long startTime)
    {
        pid = 0;
        startTime = 0;
        var parts = File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out startTime);
    }

    private static long? ProcessStartTime(int pid) => Interop.ProcessStat.Read(pid)?.StartTime;
}

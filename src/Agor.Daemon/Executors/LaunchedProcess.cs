using Agor.Daemon.Interop;

namespace Agor.Daemon.Executors;

/// <summary>
/// The process the daemon itself started (the executor, or sudo in front of it), pinned by a pidfd
/// taken at once and its start time, so that neither ever names a later process with the same pid.
/// </summary>
internal sealed class LaunchedProcess(int pid, long? startTime, PidFd? handle) : IDisposable
{
    public int Pid { get; } = pid;

    /// <summary>The kernel's start time of <see cref="Pid"/> when we started it; null when it was gone already.</summary>
    public long? StartTime { get; } = startTime;

    public static LaunchedProcess Pin(int pid)
    {
        var handle = PidFd.Open(pid);
        var stat = ProcessStat.Read(pid);

        // Read after the pidfd was opened and checked alive after: the stat is that process's.
        if (handle is null || stat is null || !handle.IsAlive())
        {
            handle?.Dispose();
            return new LaunchedProcess(pid, null, null);
        }

        return new LaunchedProcess(pid, stat.Value.StartTime, handle);
    }

    /// <summary>True while the very process we started still exists.</summary>
    public bool IsAlive() => handle?.IsAlive() == true;

    /// <summary>Signals the very process we started; false when it is gone or not ours.</summary>
    public bool Signal(int signal) => handle?.Signal(signal) == true;

    /// <summary>True when <paramref name="pid"/> is our process, still running, never a recycled pid.</summary>
    public bool Is(int pid, long startTime) => pid == Pid && StartTime == startTime && IsAlive();

    public void Dispose() => handle?.Dispose();
}

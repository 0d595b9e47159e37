using Agor.Daemon.Interop;

namespace Agor.Daemon.Executors;

/// <summary>
/// The executor as the kernel named it on connect (SO_PEERCRED) and the daemon checked it: the
/// pid the daemon tracks and signals. A pidfd holds it, so a signal never reaches a recycled pid.
/// </summary>
internal sealed class VerifiedExecutor(int pid, int uid, long startTime, PidFd handle) : IDisposable
{
    public int Pid { get; } = pid;

    public int Uid { get; } = uid;

    public long StartTime { get; } = startTime;

    public bool IsAlive() => handle.IsAlive();

    /// <summary>Signals the executor itself; false when it is gone or not ours to signal.</summary>
    public bool Signal(int signal) => handle.Signal(signal);

    /// <summary>
    /// Signals the executor's process group (it leads one: it calls setsid), and only while the
    /// executor is alive: then the group id is certainly still its own.
    /// </summary>
    public bool SignalGroup(int signal) => handle.IsAlive() && Native.KillGroup(Pid, signal);

    public void Dispose() => handle.Dispose();
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Agor.Daemon.Interop;

/// <summary>
/// A process file descriptor (pidfd_open): it names one process for as long as it is open, so a
/// signal sent through it can never reach another process that was given the same pid later.
/// </summary>
internal sealed partial class PidFd : SafeHandleZeroOrMinusOneIsInvalid
{
    // The same on every architecture: both calls came after the syscall tables were unified.
    private const long SysPidfdSendSignal = 424;
    private const long SysPidfdOpen = 434;
    private const int Esrch = 3;
    private const int Eperm = 1;

    public PidFd()
        : base(ownsHandle: true)
    {
    }

    /// <summary>A pidfd for <paramref name="pid"/>, or null when there is no such process (or the kernel has no pidfds).</summary>
    public static PidFd? Open(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }

        var fd = syscall(SysPidfdOpen, pid, 0, 0, 0);
        if (fd < 0)
        {
            return null;
        }

        var handle = new PidFd();
        handle.SetHandle((nint)fd);
        return handle;
    }

    /// <summary>
    /// True while the process exists (a zombie included: its pid is not free yet). A process of
    /// another user, which we may not signal, still exists.
    /// </summary>
    public bool IsAlive()
    {
        if (IsClosed)
        {
            return false;
        }

        if (syscall(SysPidfdSendSignal, handle, 0, 0, 0) == 0)
        {
            return true;
        }

        return Marshal.GetLastPInvokeError() == Eperm;
    }

    /// <summary>Sends <paramref name="signal"/> to exactly this process; false when it is gone or not ours to signal.</summary>
    public bool Signal(int signal) => !IsClosed && syscall(SysPidfdSendSignal, handle, signal, 0, 0) == 0;

    /// <summary>True when the last failure said the process is gone.</summary>
    public static bool LastErrorWasGone() => Marshal.GetLastPInvokeError() == Esrch;

    protected override bool ReleaseHandle() => close((int)handle) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, nint arg1, nint arg2, nint arg3, nint arg4);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}

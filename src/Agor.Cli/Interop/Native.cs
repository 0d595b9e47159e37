using System.Runtime.InteropServices;

namespace Agor.Cli.Interop;

/// <summary>The few libc calls the command line needs: signals, sessions, descriptors, process exit.</summary>
internal static partial class Native
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int EPerm = 1;

    private const long SysPidfdOpen = 434;
    private const short PollIn = 0x001;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup2(int oldFd, int newFd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chown(string path, int owner, int group);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, int pid, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int poll(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a process that is not our child to exit, with a
    /// pidfd; returns whether it is gone, or null where the kernel has no pidfds.
    /// </summary>
    public static unsafe bool? WaitForExit(int pid, TimeSpan timeout)
    {
        var fd = (int)syscall(SysPidfdOpen, pid, 0);
        if (fd < 0)
        {
            // ESRCH: already gone. Anything else (an old kernel): the caller falls back to probing.
            return Marshal.GetLastPInvokeError() == 3 ? true : null;
        }

        try
        {
            var poll = new PollFd { Fd = fd, Events = PollIn };
            var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (true)
            {
                var left = (int)Math.Max(0, deadline - Environment.TickCount64);
                var ready = Native.poll(&poll, 1, left);
                if (ready > 0)
                {
                    return true;
                }

                // EINTR: poll again for the time that is left.
                if (ready == 0 || Marshal.GetLastPInvokeError() != 4 || left == 0)
                {
                    return false;
                }
            }
        }
        finally
        {
            close(fd);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}

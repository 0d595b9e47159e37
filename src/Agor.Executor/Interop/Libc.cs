using System.Runtime.InteropServices;

namespace Agor.Executor.Interop;

/// <summary>The few libc calls the executor needs that .NET does not wrap.</summary>
internal static partial class Libc
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    // The same on every architecture: it came after the syscall tables were unified.
    private const long SysPidfdOpen = 434;
    private const short PollIn = 1;
    private const int Eintr = 4;
    private const int PrSetPdeathsig = 1;
    private const int PrSetDumpable = 4;
    private const int PrSetChildSubreaper = 36;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsid();

    [LibraryImport("libc")]
    public static partial int getppid();

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc")]
    public static partial uint umask(uint mask);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setpgid(int pid, int processGroup);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, nint arg1, nint arg2);

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long lseek(int fd, long offset, int whence);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int setrlimit(int resource, RLimit* limit);

    /// <summary>
    /// A memfd holding <paramref name="content"/>, read from its start, that a child inherits (no
    /// CLOEXEC); -1 on failure.
    /// </summary>
    public static unsafe int InheritableMemfd(string name, ReadOnlySpan<byte> content)
    {
        var fd = MemfdCreate(name, 0);
        if (fd < 0)
        {
            return -1;
        }

        fixed (byte* start = content)
        {
            var written = 0;
            while (written < content.Length)
            {
                var n = write(fd, start + written, (nuint)(content.Length - written));
                if (n < 0 && Marshal.GetLastPInvokeError() == Eintr)
                {
                    continue;
                }

                if (n <= 0)
                {
                    _ = close(fd);
                    return -1;
                }

                written += (int)n;
            }
        }

        if (lseek(fd, 0, 0) != 0)
        {
            _ = close(fd);
            return -1;
        }

        return fd;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The owner and mode (type bits included) of <paramref name="path"/> itself, not following a symlink; null when it cannot be read.</summary>
    public static unsafe (uint Uid, uint Mode)? Lstat(string path)
    {
        const int AtFdcwd = -100;
        const int AtSymlinkNofollow = 0x100;
        const uint StatxTypeModeUid = 0x1 | 0x2 | 0x8;
        var buffer = stackalloc byte[256];
        if (statx(AtFdcwd, path, AtSymlinkNofollow, StatxTypeModeUid, buffer) != 0)
        {
            return null;
        }

        return (*(uint*)(buffer + 20), *(ushort*)(buffer + 28));
    }

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathNative(string path, nint resolved);

    [LibraryImport("libc")]
    private static partial void free(nint pointer);

    /// <summary>The canonical path (every symlink resolved), or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var resolved = RealPathNative(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    /// <summary>Sets RLIMIT_NPROC (soft and hard) for this process and what it starts.</summary>
    public static unsafe bool SetProcessLimit(ulong max)
    {
        const int RlimitNproc = 6;
        var limit = new RLimit { Current = max, Maximum = max };
        return setrlimit(RlimitNproc, &limit) == 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>Asks the kernel to send <paramref name="signal"/> to this process when its parent dies.</summary>
    public static bool SetParentDeathSignal(int signal) => prctl(PrSetPdeathsig, (nuint)signal, 0, 0, 0) == 0;

    /// <summary>
    /// Makes this process non-dumpable: processes of the same user can no longer ptrace it, read its
    /// memory or open its /proc/PID/fd (which would hand them the daemon's connection).
    /// </summary>
    public static bool SetNotDumpable() => prctl(PrSetDumpable, 0, 0, 0, 0) == 0;

    /// <summary>Orphaned descendants are re-parented to this process rather than to init.</summary>
    public static bool SetChildSubreaper() => prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>A pidfd for <paramref name="pid"/>, or null when there is no such process.</summary>
    public static PidFdHandle? PidfdOpen(int pid)
    {
        var fd = syscall(SysPidfdOpen, pid, 0);
        return fd < 0 ? null : new PidFdHandle((nint)fd);
    }

    /// <summary>Blocks the calling thread until the process behind <paramref name="pidfd"/> has exited.</summary>
    public static unsafe void WaitUntilExited(PidFdHandle pidfd)
    {
        var added = false;
        pidfd.DangerousAddRef(ref added);
        try
        {
            var entry = new PollFd { Fd = (int)pidfd.DangerousGetHandle(), Events = PollIn };
            while (poll(&entry, 1, -1) < 0 && Marshal.GetLastPInvokeError() == Eintr)
            {
            }
        }
        finally
        {
            if (added)
            {
                pidfd.DangerousRelease();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}

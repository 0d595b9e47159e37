using System.Runtime.InteropServices;

namespace Agor.Daemon.Interop;

/// <summary>Signals and identity, which System.Diagnostics.Process does not cover.</summary>
internal static partial class Native
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    /// <summary>Sends <paramref name="signal"/> to a whole process group; false when it is gone or not ours.</summary>
    public static bool KillGroup(int processGroup, int signal) => processGroup > 1 && kill(-processGroup, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to one process; false when it is gone or not ours.</summary>
    public static bool Kill(int pid, int signal) => pid > 1 && kill(pid, signal) == 0;
}

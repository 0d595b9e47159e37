using System.Runtime.InteropServices;

namespace Agor.Executor.Interop;

/// <summary>The few libc calls the executor needs that .NET does not wrap.</summary>
internal static partial class Libc
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
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
}

using System.Runtime.InteropServices;

namespace Agor.Testing.Support;

/// <summary>Sends a Unix signal to a process, as a supervisor or <c>kill</c> would.</summary>
public static partial class Signals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>True when the signal was delivered.</summary>
    public static bool Send(int pid, int signal) => kill(pid, signal) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}

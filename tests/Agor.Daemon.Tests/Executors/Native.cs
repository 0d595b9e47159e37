using System.Runtime.InteropServices;

namespace Agor.Daemon.Tests.Executors;

internal static partial class Native
{
    public const int SigKill = 9;
    public const int SigStop = 19;

    [LibraryImport("libc", EntryPoint = "kill")]
    public static partial int Kill(int pid, int signal);
}

using System.Runtime.InteropServices;

namespace Agor.Executor.Tests;

internal static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "kill")]
    public static partial int Kill(int pid, int signal);
}

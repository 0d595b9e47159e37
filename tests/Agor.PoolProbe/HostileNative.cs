using System.Runtime.InteropServices;

namespace Agor.PoolProbe;

internal static partial class HostileNative
{
    [LibraryImport("libc")]
    public static partial int setsid();
}

using System.Runtime.InteropServices;

namespace Agor.Bench.Native;

/// <summary>The few libc calls the bench needs beyond <see cref="Affinity"/>.</summary>
internal static partial class Libc
{
    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chown(string path, uint owner, uint group);
}

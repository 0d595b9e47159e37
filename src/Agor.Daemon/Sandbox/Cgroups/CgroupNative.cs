using System.Runtime.InteropServices;

namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>The few libc calls cgroup files need that System.IO does not offer (ownership, access, rmdir's errno).</summary>
internal static partial class CgroupNative
{
    private const int WriteOk = 2;

    /// <summary>Gives <paramref name="path"/> to <paramref name="uid"/> (group unchanged); false with errno on failure.</summary>
    public static bool Chown(string path, int uid, out int errno)
    {
        var ok = chown(path, uid, -1) == 0;
        errno = ok ? 0 : Marshal.GetLastPInvokeError();
        return ok;
    }

    /// <summary>True when this process may write <paramref name="path"/> (real uid, as the kernel checks it).</summary>
    public static bool CanWrite(string path) => access(path, WriteOk) == 0;

    /// <summary>Removes a cgroup directory (its control files go with it); false with errno on failure.</summary>
    public static bool RemoveDirectory(string path, out int errno)
    {
        var ok = rmdir(path) == 0;
        errno = ok ? 0 : Marshal.GetLastPInvokeError();
        return ok;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, int owner, int group);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int access(string path, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rmdir(string path);
}

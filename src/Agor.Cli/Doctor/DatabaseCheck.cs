using System.Runtime.InteropServices;
using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Doctor;

/// <summary>
/// The database file and its directory writable (SQLite writes its journal beside the file), asked of
/// the kernel with access(2), so that the check never creates or opens the file itself.
/// </summary>
internal static partial class DatabaseCheck
{
    private const int WriteOk = 2;

    public static ReadinessCheck Run(AgorConfig config)
    {
        var path = Path.Combine(config.Home, config.Database.Path);
        var directory = Path.GetDirectoryName(path)!;
        if (File.Exists(path))
        {
            return access(path, WriteOk) == 0 && access(directory, WriteOk) == 0
                ? ReadinessCheck.Pass("database", $"{path} is writable")
                : ReadinessCheck.Fail("database", $"{path} or its directory is not writable by {Environment.UserName}", $"run agor as the user that owns {path}, or fix its owner and mode (chown, chmod u+rw)");
        }

        var existing = directory;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        return access(existing, WriteOk) == 0
            ? ReadinessCheck.Pass("database", $"{path} does not exist yet; the daemon creates it at start")
            : ReadinessCheck.Fail("database", $"{path} does not exist and {existing} is not writable by {Environment.UserName}", "set database.path (or AGOR_HOME) to a place this user may write");
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int access(string path, int mode);
}

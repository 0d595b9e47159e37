using Agor.Executor.Interop;

namespace Agor.Executor.Sandbox;

/// <summary>
/// A session's agent home: created 0700 (parents too) and owned by the executor's user when
/// missing, seeded from the template once, kept as it is afterwards (so <c>--resume</c> finds the
/// agent's history). A symlink, a non-directory or a home owned by someone else is refused.
/// </summary>
internal static class AgentHome
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Makes sure the home is usable; returns the problem, or null.</summary>
    public static string? Prepare(string home, string? template)
    {
        if (!Path.IsPathFullyQualified(home))
        {
            return $"the agent home '{home}' is not an absolute path";
        }

        try
        {
            var info = new DirectoryInfo(home);
            if (info.LinkTarget is not null)
            {
                return $"the agent home '{home}' is a symlink; refusing it";
            }

            if (info.Exists)
            {
                return OwnedByUs(home) ? null : $"the agent home '{home}' is owned by another user; refusing it";
            }

            if (File.Exists(home))
            {
                return $"the agent home '{home}' is not a directory";
            }

            CreatePrivate(home);
            if (template is { Length: > 0 } && Directory.Exists(template))
            {
                Copy(new DirectoryInfo(template), home);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"the agent home '{home}' cannot be prepared: {ex.Message}";
        }
    }

    private static void CreatePrivate(string directory)
    {
        var missing = new Stack<string>();
        for (var d = directory; !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
        {
            missing.Push(d);
        }

        while (missing.TryPop(out var d))
        {
            Directory.CreateDirectory(d, Private);
            File.SetUnixFileMode(d, Private);
        }
    }

    /// <summary>Files and directories only: a symlink in the template is not followed out of it.</summary>
    private static void Copy(DirectoryInfo source, string target)
    {
        foreach (var entry in source.EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            var destination = Path.Combine(target, entry.Name);
            if (entry is DirectoryInfo directory)
            {
                Directory.CreateDirectory(destination, Private);
                Copy(directory, destination);
            }
            else if (entry is FileInfo file && IsRegular(file.FullName))
            {
                file.CopyTo(destination);
                File.SetUnixFileMode(destination, file.UnixFileMode & (Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead));
            }
        }
    }

    private static bool IsRegular(string path) => Libc.Lstat(path) is { } stat && (stat.Mode & 0xF000) == 0x8000;

    private static bool OwnedByUs(string path) => Libc.Lstat(path) is { } stat && stat.Uid == Libc.geteuid();
}

namespace Agor.Executor.Agents;

/// <summary>Finds a program the way execvp would, so that a missing agent is reported before anything is started.</summary>
internal static class ExecutablePath
{
    /// <summary>The full path of <paramref name="program"/> (a path, or a name looked up in <paramref name="searchPath"/>), or null.</summary>
    public static string? Resolve(string program, string? searchPath)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutableFile(program) ? Path.GetFullPath(program) : null;
        }

        foreach (var directory in (searchPath ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (IsExecutableFile(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        try
        {
            return File.Exists(path)
                && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

namespace Agor.Daemon.Hosting;

/// <summary>Finds the agent program the way the executor will (a path, or a name on PATH), so that a missing one is said at start.</summary>
internal static class AgentProgram
{
    public const string InstallFix = "install Claude Code (npm install -g @anthropic-ai/claude-code) or set agents.claude_code.path (or AGOR_CLAUDE_PATH) to it";

    /// <summary>The full path of <paramref name="program"/>, or null when there is no such executable file.</summary>
    public static string? Resolve(string program, string? searchPath)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutableFile(program) ? Path.GetFullPath(program) : null;
        }

        return (searchPath ?? "/usr/local/bin:/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(IsExecutableFile);
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

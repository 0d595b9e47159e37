using Agor.Executor.Sandbox;

namespace Agor.Executor.Agents.Codex;

/// <summary>
/// Codex's state directory, <c>CODEX_HOME</c>: <c>.codex</c> in the agent's home, so that a
/// session's threads (and nothing of another session's) are there to resume. Its TMPDIR must not
/// contain it: Codex refuses to create its helper links under the temp directory.
/// </summary>
internal static class CodexHome
{
    private const string DirectoryName = ".codex";

    /// <summary>Creates the directory (0700) and returns the environment with CODEX_HOME (and, where needed, TMPDIR) set; null and a message when it cannot.</summary>
    public static (Dictionary<string, string>? Environment, string? Problem) Prepare(AgentRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var environment = new Dictionary<string, string>(request.Environment, StringComparer.Ordinal);
        string hostDirectory;
        string? ownTemp = null;
        if (request.Sandbox is { } sandbox)
        {
            // Inside, the session's home is /home/agent and TMPDIR is the sandbox's own /tmp (bwrap sets both).
            hostDirectory = Path.Combine(sandbox.Layout.AgentHome, DirectoryName);
            environment["CODEX_HOME"] = Path.Combine(BwrapLayout.InsideHome, DirectoryName);
        }
        else
        {
            if (environment.GetValueOrDefault("HOME") is not { Length: > 0 } home || !Path.IsPathFullyQualified(home))
            {
                return (null, "the agent has no HOME to keep Codex's state in");
            }

            hostDirectory = Path.Combine(home, DirectoryName);
            environment["CODEX_HOME"] = hostDirectory;
            var temp = environment.GetValueOrDefault("TMPDIR") is { Length: > 0 } t ? t : "/tmp";
            if (IsSameOrUnder(hostDirectory, temp))
            {
                ownTemp = Path.Combine(home, ".cache", "agor-tmp");
                environment["TMPDIR"] = ownTemp;
            }
        }

        try
        {
            Create(hostDirectory);
            if (ownTemp is not null)
            {
                Create(ownTemp);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"Codex's state directory '{hostDirectory}' (or its temp directory) could not be created: {ex.Message}");
        }

        return (environment, null);
    }

    private static void Create(string path) =>
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    private static bool IsSameOrUnder(string path, string directory)
    {
        var full = Path.GetFullPath(directory).TrimEnd('/');
        return path == full || path.StartsWith(full + "/", StringComparison.Ordinal);
    }
}

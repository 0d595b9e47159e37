using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;

namespace Agor.Daemon.Sandbox;

/// <summary>
/// Where each session's agent home lives (<c>&lt;agent_homes&gt;/&lt;session id&gt;</c>): under
/// <c>sandbox.agent_homes</c> when set; otherwise <c>$AGOR_HOME/agent-homes</c> when the agent runs
/// as the daemon's own user, and <c>~/.agor/agent-homes</c> of the agent's user (its passwd home)
/// when it runs as another one. The executor creates a home; the daemon removes it with its session.
/// </summary>
internal sealed class AgentHomes(AgorConfig config)
{
    private readonly string _daemonUser = Environment.UserName;

    /// <summary>The directory holding the homes of the agents that run as <paramref name="unixUser"/>.</summary>
    public string DirectoryFor(string unixUser)
    {
        if (config.Sandbox.AgentHomes is { Length: > 0 } configured)
        {
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(configured));
        }

        if (unixUser != _daemonUser && UnixUser.Find(unixUser) is { Home: { Length: > 0 } home })
        {
            return Path.Combine(home, ".agor", "agent-homes");
        }

        return Path.Combine(config.Home, "agent-homes");
    }

    /// <summary>The session's own home, for an agent that runs as <paramref name="unixUser"/>.</summary>
    public string For(string sessionId, string unixUser) => Path.Combine(DirectoryFor(unixUser), sessionId);

    /// <summary>The template copied into a new home: <c>sandbox.home_template</c>, or <c>$AGOR_HOME/agent-home-template</c> when it exists.</summary>
    public string? Template =>
        config.Sandbox.HomeTemplate is { Length: > 0 } configured ? configured
        : Directory.Exists(Path.Combine(config.Home, "agent-home-template")) ? Path.Combine(config.Home, "agent-home-template")
        : null;

    /// <summary>
    /// Removes a session's home: only a real directory (not a symlink) directly inside its homes
    /// directory, whose name is the session id. False when there was none to remove.
    /// </summary>
    public static bool Remove(string homesDirectory, string sessionId)
    {
        if (sessionId.Length == 0 || sessionId.Contains('/', StringComparison.Ordinal) || sessionId is "." or "..")
        {
            return false;
        }

        var home = new DirectoryInfo(Path.Combine(homesDirectory, sessionId));
        if (!home.Exists || home.LinkTarget is not null || home.Parent?.FullName != Path.TrimEndingDirectorySeparator(homesDirectory))
        {
            return false;
        }

        // Directory.Delete removes symlinks found inside instead of following them.
        home.Delete(recursive: true);
        return true;
    }
}

namespace Agor.Cli.Service;

/// <summary>Which systemd manager runs the daemon: the system's (<c>--system</c>) or the user's own (<c>--user</c>).</summary>
internal enum ServiceScope
{
    System,
    User,
}

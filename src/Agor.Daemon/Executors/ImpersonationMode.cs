namespace Agor.Daemon.Executors;

/// <summary>How executors are started: as the daemon's own user, or as another user through sudo.</summary>
internal enum ImpersonationMode
{
    /// <summary>Executors run as the daemon's user.</summary>
    Disabled,

    /// <summary>Executors run as another user via <c>sudo -n -u USER --</c>.</summary>
    Sudo,
}

namespace Agor.Cli.Service;

/// <summary>What <c>agor service install|uninstall</c> was asked, before anything is looked up.</summary>
internal sealed record ServiceRequest
{
    /// <summary>Null: the user's own manager, or the system's when run as root.</summary>
    public ServiceScope? Scope { get; init; }

    /// <summary>Write below this directory instead of <c>/</c> (as <c>systemctl --root</c> does); systemctl is then never called.</summary>
    public string? Root { get; init; }

    /// <summary>Print the unit, write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>AGOR_HOME for the daemon; null: AGOR_HOME, else the daemon user's <c>~/.agor</c>.</summary>
    public string? AgorHome { get; init; }

    /// <summary>The user a system unit runs the daemon as; null: SUDO_USER, else the current user.</summary>
    public string? DaemonUser { get; init; }

    /// <summary>Replace a unit file at the path that agor did not write.</summary>
    public bool Force { get; init; }
}

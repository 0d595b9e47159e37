namespace Agor.Cli.Service;

/// <summary>Where the unit file lives, and how systemctl is addressed for that scope.</summary>
internal sealed record ServicePaths(ServiceScope Scope, string UnitPath, string? Root)
{
    /// <summary>The path systemd itself sees (without <see cref="Root"/>): what enablement symlinks point to.</summary>
    public required string UnitPathInSystem { get; init; }

    /// <summary><c>systemctl</c>, with <c>--user</c> for a user unit.</summary>
    public string Systemctl => Scope == ServiceScope.User ? "systemctl --user" : "systemctl";

    /// <summary>The system manager's commands need root.</summary>
    public string SystemctlAsTyped => Scope == ServiceScope.System && Interop.Native.geteuid() != 0 ? "sudo " + Systemctl : Systemctl;

    public static ServicePaths For(ServiceScope scope, string? root, IReadOnlyDictionary<string, string?> environment)
    {
        var inSystem = scope == ServiceScope.System
            ? Path.Combine("/etc/systemd/system", ServicePlan.UnitName)
            : Path.Combine(UserConfigHome(environment), "systemd", "user", ServicePlan.UnitName);
        var full = root is { Length: > 0 } ? Path.Join(Path.GetFullPath(root), inSystem) : inSystem;
        return new ServicePaths(scope, full, root is { Length: > 0 } ? Path.GetFullPath(root) : null) { UnitPathInSystem = inSystem };
    }

    private static string UserConfigHome(IReadOnlyDictionary<string, string?> environment) =>
        environment.GetValueOrDefault("XDG_CONFIG_HOME") is { Length: > 0 } configured && Path.IsPathFullyQualified(configured)
            ? configured
            : Path.Combine(environment.GetValueOrDefault("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
}

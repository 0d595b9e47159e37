using Agor.Cli.Isolation;

namespace Agor.Cli.Service;

/// <summary>The one systemctl call agor makes itself: <c>daemon-reload</c>, and only where systemd runs.</summary>
internal static class Systemctl
{
    /// <summary>True when systemd is the init system here (its runtime directory exists) and systemctl is installed.</summary>
    public static bool IsRunning => Directory.Exists("/run/systemd/system") && SystemCommand.Find("systemctl") is not null;

    /// <summary>Runs <c>systemctl [--user] daemon-reload</c>; null when it worked, else what it said.</summary>
    public static async Task<string?> DaemonReloadAsync(ServicePaths paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        string[] arguments = paths.Scope == ServiceScope.User ? ["--user", "daemon-reload"] : ["daemon-reload"];
        var result = await SystemCommand.RunAsync("systemctl", arguments, cancellationToken);
        return result.ExitCode == 0 ? null : (result.Output.Length > 0 ? result.Output : $"exit code {result.ExitCode}");
    }
}

using Agor.Cli.Client;
using Agor.Cli.Commands;
using Agor.Cli.Output;
using Agor.Cli.Runtime;
using Agor.Daemon.Api;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Doctor;

/// <summary>The daemon of this home: running, answering <c>/health</c>, its version; and the limits it found, for the cgroup line.</summary>
internal static class DaemonCheck
{
    public static async Task<(ReadinessCheck Check, int? Pid, string? Limits)> RunAsync(AgorHome home, CancellationToken cancellationToken = default)
    {
        var files = new DaemonRuntimeFiles(home.Path);
        if (files.ReadRunning() is not { } running)
        {
            return (ReadinessCheck.Fail("daemon", $"not running for {home.Path}", "agor daemon start"), null, null);
        }

        try
        {
            using var client = CliEnvironment.CreateClient();
            var health = (await client.GetAsync("/health", cancellationToken)).Json;
            var version = health.Text("version");
            var also = version == DaemonVersion.Current ? string.Empty : $" (this agor is {DaemonVersion.Current}; restart the daemon to run the same)";
            return (ReadinessCheck.Pass("daemon", $"running (pid {running.Pid}) at {client.Address}, version {version}{also}"), running.Pid, health.Member("sandbox").Text("limits"));
        }
        catch (CliException ex)
        {
            return (ReadinessCheck.Fail("daemon", $"pid {running.Pid} runs but does not answer: {ex.Message}", $"see {files.LogPath}; then agor daemon stop && agor daemon start"), running.Pid, null);
        }
    }
}

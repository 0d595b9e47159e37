using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Fuzz;

/// <summary>
/// Target 2: the daemon's executor endpoint. A real daemon is configured with this tool (in
/// <see cref="FuzzExecutor.Mode"/>) as its executor; one prompt makes the daemon start it, and the
/// fuzz executor then sends mutated lines while this side checks that <c>/health</c> keeps
/// answering and samples the daemon's RSS.
/// </summary>
internal static class DaemonTarget
{
    public static async Task<FuzzReport> RunAsync(FuzzSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("agor-fuzz-daemon-").FullName;
        var stats = Path.Combine(work, "stats.json");
        var script = Path.Combine(work, "fuzz-executor");
        var self = typeof(DaemonTarget).Assembly.Location;
        await File.WriteAllTextAsync(
            script,
            string.Create(CultureInfo.InvariantCulture, $"#!/bin/sh\nexec '{DotnetHost}' '{self}' {FuzzExecutor.Mode} --lines {settings.Lines} --seed {settings.Seed} --probe-every {settings.ProbeEvery} --stats '{stats}' \"$@\"\n"),
            cancellationToken);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var clock = Stopwatch.StartNew();
        try
        {
            await using var daemon = await DaemonProcess.StartAsync(
                new DaemonProcessOptions
                {
                    ModelBaseUrl = "http://127.0.0.1:9",
                    ClaudePath = "/bin/false",
                    Execution =
                    [
                        $"executor_path: {script}",
                        $"socket_path_template: {work}/executor-{{id}}.sock",
                        "session_token_max_uses: 1000000000",
                        "permission_timeout_ms: 1000",
                    ],
                },
                cancellationToken);
            var startRss = ProcessMemory.ResidentBytes(daemon.Pid);
            var session = await daemon.CreateSessionAsync(work);
            var task = await daemon.PromptAsync(session.GetProperty("id").GetString()!, "fuzz");
            var taskId = task.GetProperty("id").GetString()!;

            long peak = startRss;
            var hangs = 0;
            string? note = null;
            var status = "running";
            while (!File.Exists(stats) || !IsTerminal(status))
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(settings.ProbeBound);
                try
                {
                    using var health = await daemon.Http.GetAsync("/health", timeout.Token);
                    health.EnsureSuccessStatusCode();
                    status = (await daemon.GetAsync($"/tasks/{taskId}")).GetProperty("status").GetString()!;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    hangs++;
                    note = "/health did not answer within the bound";
                    break;
                }

                peak = Math.Max(peak, ProcessMemory.PeakResidentBytes(daemon.Pid));
                if (daemon.HasExited || (IsTerminal(status) && !File.Exists(stats)))
                {
                    note = $"the task ended {status} before the run did";
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }

            var child = File.Exists(stats) ? JsonSerializer.Deserialize(await File.ReadAllTextAsync(stats, cancellationToken), FuzzJson.Default.FuzzReport)! : null;
            var crashes = daemon.HasExited ? 1 : 0;
            if (crashes > 0)
            {
                note = $"the daemon exited {daemon.ExitCode}: {ExecutorTarget.Tail(daemon.Log)}";
            }

            peak = daemon.HasExited ? peak : Math.Max(peak, ProcessMemory.PeakResidentBytes(daemon.Pid));
            await progress.WriteLineAsync($"daemon: task {taskId} ended {status}");
            return new FuzzReport(
                "daemon",
                child?.Lines ?? 0,
                child?.Probes ?? 0,
                clock.Elapsed.TotalSeconds,
                startRss,
                peak,
                crashes,
                hangs + (child?.Hangs ?? 0),
                child?.Closes ?? 0,
                note ?? (child is null ? "the fuzz executor wrote no figures" : null));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static bool IsTerminal(string status) => status is "completed" or "failed" or "cancelled";

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "/usr/bin/dotnet";
}

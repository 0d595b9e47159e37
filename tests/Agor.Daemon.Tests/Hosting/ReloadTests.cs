using Agor.Daemon.Tests.Api;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Hosting;

/// <summary>SIGHUP to a real daemon re-reads its config.yaml: what can change live is applied, the rest named, a bad file refused.</summary>
public sealed class ReloadTests
{
    private const int SigHup = 1;

    [SkippableFact(Timeout = 90_000)]
    public async Task Sighup_AShorterPermissionTimeout_DeniesTheNextUnansweredQuestionAfterIt_AndNamesWhatNeedsARestart()
    {
        // Ten minutes at start: without the reload the question below would outlive the test.
        await using var h = await DaemonHarness.StartAsync(o => o with { Execution = ["permission_timeout_ms: 600000"] });
        await File.WriteAllTextAsync(ConfigPath(h), DaemonProcess.ConfigYaml(h.Options with { Execution = ["permission_timeout_ms: 1500", "max_executors: 3"] }));

        Assert.True(Signals.Send(h.Daemon.Pid, SigHup));
        await WaitForLogAsync(h.Daemon, "applied execution.permission_timeout_ms");
        var file = Path.Combine(h.WorkingDirectory, "never.txt");
        h.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "x" }).EnqueueText("Fine.");
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "Write something");
        var asked = await h.Events.WaitForAsync(e => e.Type == "permission.requested" && e.Str("task_id") == taskId);
        var resolved = await h.Events.WaitForAsync(e => e.Type == "permission.resolved" && e.Str("id") == asked.Str("id"), TimeSpan.FromSeconds(30));
        var task = await h.WaitForTaskEndAsync(taskId);

        Assert.Equal("timed_out", resolved.Str("status"));
        Assert.Contains("within 1500 ms", resolved.Str("reason"), StringComparison.Ordinal);
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.False(File.Exists(file));
        var restartLine = Assert.Single(Lines(h.Daemon, "take effect only after a restart"));
        Assert.Contains("execution.max_executors changed", restartLine, StringComparison.Ordinal);
        Assert.DoesNotContain("permission_timeout_ms", restartLine, StringComparison.Ordinal);
        Assert.False(h.Daemon.HasExited);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task Sighup_ABadConfigFile_IsRefusedWithTheReason_AndTheConfigurationInUseStays()
    {
        await using var h = await DaemonHarness.StartAsync(o => o with { Execution = ["permission_timeout_ms: 1500"] });
        await File.WriteAllTextAsync(ConfigPath(h), DaemonProcess.ConfigYaml(h.Options with { Execution = ["permission_timeout_ms: soon"] }));

        Assert.True(Signals.Send(h.Daemon.Pid, SigHup));
        var refused = await WaitForLogAsync(h.Daemon, "is not valid, keeping the configuration in use");
        var health = await h.Daemon.GetAsync("/health");
        var file = Path.Combine(h.WorkingDirectory, "never.txt");
        h.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "x" }).EnqueueText("Fine.");
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "Write something");
        var asked = await h.Events.WaitForAsync(e => e.Type == "permission.requested" && e.Str("task_id") == taskId);
        var resolved = await h.Events.WaitForAsync(e => e.Type == "permission.resolved" && e.Str("id") == asked.Str("id"), TimeSpan.FromSeconds(30));

        Assert.Contains("execution.permission_timeout_ms", refused, StringComparison.Ordinal);
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("timed_out", resolved.Str("status"));
        Assert.Contains("within 1500 ms", resolved.Str("reason"), StringComparison.Ordinal);
        Assert.False(h.Daemon.HasExited);
    }

    private static string ConfigPath(DaemonHarness h) => Path.Combine(h.Daemon.Home, "config.yaml");

    private static IEnumerable<string> Lines(DaemonProcess daemon, string text) =>
        daemon.Log.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>The daemon's log line saying the reload was done; the signal is handled on the daemon's own time.</summary>
    private static async Task<string> WaitForLogAsync(DaemonProcess daemon, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (Lines(daemon, text).FirstOrDefault() is { } line)
            {
                return line;
            }

            Assert.False(daemon.HasExited, $"the daemon exited after SIGHUP:\n{daemon.Log}");
            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no log line with '{text}' within 20 s; the log:\n{daemon.Log}");
            }
        }
    }
}

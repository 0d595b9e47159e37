using System.Diagnostics;
using Xunit.Abstractions;

namespace Agor.Daemon.Tests.Hostile;

/// <summary>
/// One task cannot make the daemon store or hold without bound: a million messages, events of
/// 8 MB, or many big ones stop at the configured limits, the daemon's memory stays within a stated
/// bound, its database does not grow past the limit, and /health answers throughout.
/// </summary>
public sealed class TaskLimitTests(ITestOutputHelper output)
{
    // A daemon at rest is ~150 MiB; what it may hold on top while fending off one hostile task.
    private const double RssBoundMiB = 450;

    [SkippableFact(Timeout = 300_000)]
    public async Task AMillionMessages_StopAtMaxMessagesPerTask_TheTaskFails_AndMemoryAndDiskStayBounded()
    {
        await using var d = await HostileDaemon.StartAsync("flood", limits: ["max_messages_per_task: 1000"], count: 1_000_000);
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "flood");

        var (task, peakRss) = await WatchUntilEndAsync(d, taskId);

        Assert.Equal("failed", task.GetProperty("status").GetString());
        Assert.Equal("limit_exceeded", task.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1000, (await h.Daemon.GetAsync($"/sessions/{session}/messages?limit=5000")).GetArrayLength());
        Assert.True(peakRss < RssBoundMiB, $"daemon RSS peaked at {peakRss:0} MiB");
        Assert.True(d.DatabaseMiB() < 32, $"database at {d.DatabaseMiB():0.0} MiB");
        Assert.Equal("ok", (await h.Daemon.GetAsync("/health")).GetProperty("status").GetString());
        Assert.True(CountLines(h.Daemon.Log, "message dropped") < 200, "refusals are logged once per burst");
    }

    [SkippableFact(Timeout = 300_000)]
    public async Task AMillionMessagesAfterCompletion_AreRefused_WithoutGrowingTheAuditOrTheLog()
    {
        await using var d = await HostileDaemon.StartAsync("flood-after-completion", count: 1_000_000);
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "complete, then flood");

        var (task, _) = await WatchUntilEndAsync(d, taskId);
        var executorGone = h.Events.WaitForAsync(e => e.Type == "executor.updated" && e.Str("kind") is "stopped" or "crashed", TimeSpan.FromSeconds(60));
        var (_, peakRss) = await WatchUntilAsync(d, executorGone);
        output.WriteLine($"flood sent before the executor was shut down: {string.Join(", ", d.Recorded("flood_sent"))}");

        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Empty((await h.Daemon.GetAsync($"/sessions/{session}/messages")).EnumerateArray());
        var refusedAudits = (await h.Daemon.GetAsync("/audit?limit=10000")).EnumerateArray().Count(a => a.GetProperty("method").GetString() == "report_message");
        output.WriteLine($"refused report_message: {refusedAudits} audit entries, {CountLines(h.Daemon.Log, "refused report_message")} log lines");
        Assert.InRange(refusedAudits, 1, 200);
        Assert.True(CountLines(h.Daemon.Log, "refused report_message") < 200, "refusals are logged once per burst");
        Assert.True(peakRss < RssBoundMiB, $"daemon RSS peaked at {peakRss:0} MiB");
        Assert.Equal("ok", (await h.Daemon.GetAsync("/health")).GetProperty("status").GetString());
    }

    [SkippableFact(Timeout = 300_000)]
    public async Task EventsOf8MB_AreDroppedAtMaxEventBytes_AndTheTaskCompletes_WithMemoryBounded()
    {
        await using var d = await HostileDaemon.StartAsync("big-events", count: 20, bytes: 8_000_000);
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "big events");

        var (task, peakRss) = await WatchUntilEndAsync(d, taskId);

        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Equal(["20"], d.Recorded("big_sent"));
        Assert.Empty((await h.Daemon.GetAsync($"/sessions/{session}/messages")).EnumerateArray());
        Assert.True(peakRss < RssBoundMiB, $"daemon RSS peaked at {peakRss:0} MiB");
        Assert.True(d.DatabaseMiB() < 8, $"database at {d.DatabaseMiB():0.0} MiB");
        Assert.Contains("over limits.max_event_bytes", h.Daemon.Log, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 300_000)]
    public async Task BigEventsPastMaxStoredBytesPerTask_FailTheTask_AndTheDatabaseStaysUnderTheLimit()
    {
        await using var d = await HostileDaemon.StartAsync("big-events", limits: ["max_stored_bytes_per_task: 8388608"], count: 30, bytes: 3_000_000);
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "many big events");

        var (task, peakRss) = await WatchUntilEndAsync(d, taskId);

        Assert.Equal("failed", task.GetProperty("status").GetString());
        Assert.Equal("limit_exceeded", task.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(2, (await h.Daemon.GetAsync($"/sessions/{session}/messages")).GetArrayLength());
        Assert.True(peakRss < RssBoundMiB, $"daemon RSS peaked at {peakRss:0} MiB");

        // Two 3 MB events, each stored once (the event log refers to the message, it does not copy it), plus SQLite's overhead.
        Assert.True(d.DatabaseMiB() < 16, $"database at {d.DatabaseMiB():0.0} MiB");
    }

    [SkippableFact(Timeout = 300_000)]
    public async Task BatchBombsOf8MB_GetOneSmallAnswerEach_OneLogLineEach_AndTheTaskCompletes_WithMemoryBounded()
    {
        await using var d = await HostileDaemon.StartAsync("batch-bomb");
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "batch bombs");

        var (task, peakRss) = await WatchUntilEndAsync(d, taskId);

        // Before: an answer per element (a 57 MB line for 1 MiB of [1,1,…]) and a log line per element.
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Equal(["2"], d.Recorded("bomb_answers"));
        Assert.InRange(int.Parse(Assert.Single(d.Recorded("bomb_answer_max_bytes")), System.Globalization.CultureInfo.InvariantCulture), 1, 1024);
        var stored = Assert.Single((await h.Daemon.GetAsync($"/sessions/{session}/messages")).EnumerateArray());
        Assert.Equal("after the bombs", stored.GetProperty("event_data").GetProperty("text").GetString());
        Assert.InRange(CountLines(h.Daemon.Log, "rejected a message"), 1, 4);
        Assert.True(peakRss < RssBoundMiB, $"daemon RSS peaked at {peakRss:0} MiB");
    }

    /// <summary>Waits for the task to end, sampling the daemon's RSS and its /health meanwhile.</summary>
    private Task<(System.Text.Json.JsonElement Result, double PeakRssMiB)> WatchUntilEndAsync(HostileDaemon d, string taskId) =>
        WatchUntilAsync(d, d.Harness.WaitForTaskEndAsync(taskId, TimeSpan.FromSeconds(240)));

    /// <summary>Waits for <paramref name="end"/>, sampling the daemon's RSS and its /health meanwhile.</summary>
    private async Task<(T Result, double PeakRssMiB)> WatchUntilAsync<T>(HostileDaemon d, Task<T> end)
    {
        var baseline = d.DaemonRssMiB();
        var peak = baseline;
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var health = Stopwatch.StartNew();
        while (!end.IsCompleted)
        {
            await Task.WhenAny(end, timer.WaitForNextTickAsync().AsTask());
            peak = Math.Max(peak, d.DaemonRssMiB());
            if (health.Elapsed > TimeSpan.FromSeconds(1))
            {
                Assert.Equal("ok", (await d.Harness.Daemon.GetAsync("/health")).GetProperty("status").GetString());
                health.Restart();
            }
        }

        output.WriteLine($"daemon RSS: {baseline:0} MiB before, {peak:0} MiB at peak; database {d.DatabaseMiB():0.0} MiB; {clock.Elapsed.TotalSeconds:0.0} s");
        return (await end, peak);
    }

    private static int CountLines(string log, string text) =>
        log.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));
}

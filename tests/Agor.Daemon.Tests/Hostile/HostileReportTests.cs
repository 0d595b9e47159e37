namespace Agor.Daemon.Tests.Hostile;

/// <summary>Malformed and out-of-order reports are dropped with a log line; the task and its connection carry on.</summary>
public sealed class HostileReportTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task ReportMessagesMissingRequiredFields_AreDroppedAndLogged_AndTheTaskStillCompletes()
    {
        await using var d = await HostileDaemon.StartAsync("no-event-data");
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "report badly");

        var task = await h.WaitForTaskEndAsync(taskId);

        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Equal(["ok"], d.Recorded("completion"));
        var stored = Assert.Single((await h.Daemon.GetAsync($"/sessions/{session}/messages")).EnumerateArray());
        Assert.Equal("good", stored.GetProperty("event_data").GetProperty("text").GetString());
        // The peer refuses a notification missing a required member before any handler sees it,
        // and says which member.
        Assert.Matches("rejected a message: .*event_data", h.Daemon.Log);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task SequencesThatRepeatOrGoBack_AreNotStored_AndAreLogged()
    {
        await using var d = await HostileDaemon.StartAsync("sequence-replay");
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "1, 2, 2, 1, 3");

        Assert.Equal("completed", (await h.WaitForTaskEndAsync(taskId)).GetProperty("status").GetString());

        var stored = (await h.Daemon.GetAsync($"/sessions/{session}/messages")).EnumerateArray().ToList();
        Assert.Equal([1L, 2L, 3L], stored.Select(m => m.GetProperty("task_sequence").GetInt64()));
        Assert.Equal([1, 2, 5], stored.Select(m => m.GetProperty("event_data").GetProperty("sent").GetInt32()));
        Assert.Contains("repeats or goes back", h.Daemon.Log, StringComparison.Ordinal);
    }
}

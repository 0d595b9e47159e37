namespace Agor.Daemon.Tests.Hostile;

/// <summary>
/// One owner per task, final states final: a stop racing the dispatch has one outcome, and the
/// moment an executor reports completion its token buys nothing more — no key, no permission, no
/// second completion.
/// </summary>
public sealed class TaskOwnershipTests
{
    [SkippableFact(Timeout = 180_000)]
    public async Task StopRightAfterSubmit_HasExactlyOneOutcome_CancelledAndStaysCancelled()
    {
        // A warm executor makes the hand-off immediate, so the stop lands in or near the dispatch.
        await using var d = await HostileDaemon.StartAsync("stop-aware", ["warm_executors: 1", "max_executors: 3", "stop_grace_ms: 3000"]);
        var h = d.Harness;
        var tasks = new List<string>();
        for (var round = 0; round < 8; round++)
        {
            var session = await h.CreateSessionAsync();
            var taskId = await h.PromptAsync(session, $"round {round}");
            var stopped = await h.Daemon.PostAsync($"/tasks/{taskId}/stop");
            Assert.Equal("cancelled", stopped.GetProperty("status").GetString());
            tasks.Add(taskId);
        }

        foreach (var taskId in tasks)
        {
            // Where the prompt did reach the executor, it must have been told to stop, and said so.
            if (d.Recorded("execute_prompt").Contains(taskId))
            {
                await HungExecutorTests.WaitForRecordAsync(d, "outcome", $"{taskId}:cancelled");
                Assert.Contains(taskId, d.Recorded("stop_task"));
            }

            Assert.DoesNotContain($"{taskId}:completed", d.Recorded("outcome"));
            Assert.Equal("cancelled", (await h.Daemon.GetAsync($"/tasks/{taskId}")).GetProperty("status").GetString());
            var statuses = h.Events.Events.Where(e => e.Type == "task.updated" && e.Str("id") == taskId).Select(e => e.Str("status")).ToList();
            Assert.Equal("cancelled", statuses[^1]);
            Assert.Single(statuses, s => s is "cancelled" or "completed" or "failed");
        }
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task RightAfterReportCompletion_KeysPermissionsAndMessagesAreRefused()
    {
        await using var d = await HostileDaemon.StartAsync("after-completion");
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "complete, then ask for more");

        await HungExecutorTests.WaitForRecordAsync(d, "done", taskId);
        var task = await h.WaitForTaskEndAsync(taskId);

        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Equal(["ok"], d.Recorded("completion"));
        Assert.Equal(["-32001"], d.Recorded("key_after_completion"));
        Assert.Equal(["-32001"], d.Recorded("permission_after_completion"));
        var texts = (await h.Daemon.GetAsync($"/sessions/{session}/messages")).EnumerateArray()
            .Select(m => m.GetProperty("event_data").GetProperty("text").GetString()).ToList();
        Assert.Equal(["before"], texts);
        Assert.Empty((await h.Daemon.GetAsync("/permissions?status=pending")).EnumerateArray());
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task SecondReportCompletion_IsRefused_AndTheFirstOutcomeStands()
    {
        await using var d = await HostileDaemon.StartAsync("double-completion");
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "complete twice");

        await HungExecutorTests.WaitForRecordAsync(d, "second_completion", "-32001");
        var task = await h.WaitForTaskEndAsync(taskId);

        Assert.Equal(["ok"], d.Recorded("first_completion"));
        Assert.Equal("completed", task.GetProperty("status").GetString());
        var audit = (await h.Daemon.GetAsync("/audit?limit=100")).EnumerateArray().Where(a => a.GetProperty("method").GetString() == "report_completion").ToList();
        Assert.Equal(["invalid_token", "ok"], audit.Select(a => a.GetProperty("outcome").GetString()).Order());
    }
}

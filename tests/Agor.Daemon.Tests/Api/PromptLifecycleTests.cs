using System.Text.Json;

namespace Agor.Daemon.Tests.Api;

/// <summary>A prompt over HTTP, run by a real executor and the real Claude Code CLI, watched on the event stream.</summary>
public sealed class PromptLifecycleTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task AllowedWrite_StreamsDeltas_AsksPermission_WritesTheFile_AndCompletesWithUsage()
    {
        await using var h = await DaemonHarness.StartAsync();
        var file = Path.Combine(h.WorkingDirectory, "notes.txt");
        h.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "from the agent\n" }, leadingText: "I will write it.").EnqueueText("Written", " as asked.");
        var session = await h.CreateSessionAsync();

        var taskId = await h.PromptAsync(session, "Write notes.txt");
        var asked = await h.Events.WaitForAsync(e => e.Type == "permission.requested" && e.Str("task_id") == taskId);
        Assert.Equal("Write", asked.Str("tool_name"));
        Assert.Equal(file, asked.Data.GetProperty("tool_input").GetProperty("file_path").GetString());
        Assert.Equal("awaiting_permission", (await h.Daemon.GetAsync($"/tasks/{taskId}")).GetProperty("status").GetString());
        Assert.Single((await h.Daemon.GetAsync("/permissions?status=pending")).EnumerateArray());

        var decided = await h.Daemon.PostAsync($"/permissions/{asked.Str("id")}", new { decision = "allow" });
        Assert.Equal("allowed", decided.GetProperty("status").GetString());
        var task = await h.WaitForTaskEndAsync(taskId);

        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Equal("from the agent\n", await File.ReadAllTextAsync(file));
        Assert.True(task.GetProperty("token_usage").GetProperty("output_tokens").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, task.GetProperty("error").ValueKind);
        var streamed = string.Concat(h.Events.Events
            .Where(e => e.Type == "message.delta" && e.Str("task_id") == taskId)
            .Select(e => e.Data.GetProperty("event_data").GetProperty("event"))
            .Where(e => e.GetProperty("type").GetString() == "content_block_delta" && e.GetProperty("delta").TryGetProperty("text", out _))
            .Select(e => e.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Contains("Written as asked.", streamed, StringComparison.Ordinal);
        Assert.Contains(h.Events.Events, e => e.Type == "permission.resolved" && e.Str("status") == "allowed");

        var messages = (await h.Daemon.GetAsync($"/sessions/{session}/messages")).EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, messages.Count).Select(i => (long)i), messages.Select(m => m.GetProperty("sequence").GetInt64()));
        Assert.Contains(messages, m => m.GetProperty("event_type").GetString() == "tool_call");
        Assert.DoesNotContain(messages, m => m.GetProperty("event_type").GetString() == "content_block_delta");
        var audit = (await h.Daemon.GetAsync("/audit?limit=50")).EnumerateArray().ToList();
        Assert.Contains(audit, a => a.GetProperty("method").GetString() == "get_api_key" && a.GetProperty("outcome").GetString() == "ok");
        Assert.DoesNotContain(h.Options.ApiKey!, (await h.Daemon.Http.GetStringAsync("/audit")) + h.Daemon.Log, StringComparison.Ordinal);
        Assert.Equal(h.Options.ApiKey, Assert.Single(h.Model.ConversationRequests.Select(r => r.ApiKey).Distinct()));
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task DeniedBash_DoesNotRun_TheModelIsToldWhy_AndTheTaskCompletes()
    {
        await using var h = await DaemonHarness.StartAsync();
        var marker = Path.Combine(h.WorkingDirectory, "should-not-exist");
        h.Model.Script.EnqueueToolUse("Bash", new { command = $"touch {marker}", description = "Create a file" }).EnqueueText("Understood.");
        var session = await h.CreateSessionAsync();

        var taskId = await h.PromptAsync(session, "Touch a file");
        var asked = await h.Events.WaitForAsync(e => e.Type == "permission.requested" && e.Str("task_id") == taskId);
        await h.Daemon.PostAsync($"/permissions/{asked.Str("id")}", new { decision = "deny", reason = "No shell today." });
        var task = await h.WaitForTaskEndAsync(taskId);

        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.False(File.Exists(marker));
        var toolResult = Assert.Single(h.Model.ConversationRequests.SelectMany(r => r.ToolResults));
        Assert.True(toolResult.IsError);
        Assert.Equal("No shell today.", toolResult.Content);
        var permission = await h.Daemon.GetAsync($"/permissions/{asked.Str("id")}");
        Assert.Equal("denied", permission.GetProperty("status").GetString());

        // Deciding again is a conflict, not a silent change.
        var again = await h.Daemon.Http.PostAsync($"/permissions/{asked.Str("id")}", JsonContent("""{"decision":"allow"}"""));
        Assert.Equal(409, (int)again.StatusCode);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task StopDuringASlowStream_CancelsTheTask_AndLeavesNoExecutor()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Model.Script.EnqueueSlowText(200, TimeSpan.FromMilliseconds(100));
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "Talk slowly");
        await h.Events.WaitForAsync(e => e.Type == "message.delta" && e.Str("task_id") == taskId);

        var stopped = await h.Daemon.PostAsync($"/tasks/{taskId}/stop");

        Assert.Equal("cancelled", stopped.GetProperty("status").GetString());
        Assert.Equal("cancelled", (await h.WaitForTaskEndAsync(taskId)).GetProperty("status").GetString());
        await h.Events.WaitForAsync(e => e.Type == "executor.updated" && e.Data.GetProperty("executor").GetProperty("task_id").GetString() == taskId && e.Str("kind") == "stopped");
        Assert.Empty((await h.Daemon.GetAsync("/executors")).EnumerateArray());
        var conflict = await h.Daemon.Http.PostAsync($"/tasks/{taskId}/stop", null);
        Assert.Equal(409, (int)conflict.StatusCode);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task TwoPromptsInOneSession_RunInOrder_AndTheSecondResumesTheFirst()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Model.Script.EnqueuePacedText(TimeSpan.FromMilliseconds(50), "First", " answer").EnqueueText("Second answer");
        var session = await h.CreateSessionAsync();

        var first = await h.PromptAsync(session, "first prompt");
        var second = await h.PromptAsync(session, "second prompt");
        Assert.Equal("queued", (await h.Daemon.GetAsync($"/tasks/{second}")).GetProperty("status").GetString());
        var firstTask = await h.WaitForTaskEndAsync(first);
        var secondTask = await h.WaitForTaskEndAsync(second);

        Assert.Equal("completed", firstTask.GetProperty("status").GetString());
        Assert.Equal("completed", secondTask.GetProperty("status").GetString());
        Assert.True(secondTask.GetProperty("started_at").GetDateTimeOffset() >= firstTask.GetProperty("completed_at").GetDateTimeOffset());
        Assert.Equal(firstTask.GetProperty("agent_session_id").GetString(), secondTask.GetProperty("agent_session_id").GetString());
        var lastRequest = h.Model.ConversationRequests[^1];
        Assert.Contains(lastRequest.UserTexts, t => t.Contains("first prompt", StringComparison.Ordinal));
        Assert.Equal([first, second], (await h.Daemon.GetAsync($"/sessions/{session}/tasks")).EnumerateArray().Select(t => t.GetProperty("id").GetString()));
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task MoreSessionsThanMaxExecutors_WaitTheirTurn_AndAllComplete()
    {
        await using var h = await DaemonHarness.StartAsync(o => o with { Execution = ["max_executors: 1"] });
        h.Model.Script.EnqueuePacedText(TimeSpan.FromMilliseconds(50), "one", " two").EnqueueText("three").EnqueueText("four");
        var sessions = new[] { await h.CreateSessionAsync(), await h.CreateSessionAsync(), await h.CreateSessionAsync() };

        var tasks = new List<string>();
        foreach (var session in sessions)
        {
            tasks.Add(await h.PromptAsync(session, "hello"));
        }

        var finished = new List<JsonElement>();
        foreach (var task in tasks)
        {
            finished.Add(await h.WaitForTaskEndAsync(task));
        }

        Assert.All(finished, t => Assert.Equal("completed", t.GetProperty("status").GetString()));
        var spans = finished.Select(t => (Start: t.GetProperty("started_at").GetDateTimeOffset(), End: t.GetProperty("completed_at").GetDateTimeOffset())).OrderBy(s => s.Start).ToList();
        for (var i = 1; i < spans.Count; i++)
        {
            Assert.True(spans[i].Start >= spans[i - 1].End, "with max_executors: 1, no two tasks ran at once");
        }
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task UnansweredPermission_IsDeniedAfterTheTimeout()
    {
        await using var h = await DaemonHarness.StartAsync(o => o with { Execution = ["permission_timeout_ms: 1000"] });
        var file = Path.Combine(h.WorkingDirectory, "never.txt");
        h.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "x" }).EnqueueText("Fine.");
        var session = await h.CreateSessionAsync();

        var taskId = await h.PromptAsync(session, "Write something");
        var asked = await h.Events.WaitForAsync(e => e.Type == "permission.requested" && e.Str("task_id") == taskId);
        var resolved = await h.Events.WaitForAsync(e => e.Type == "permission.resolved" && e.Str("id") == asked.Str("id"));
        var task = await h.WaitForTaskEndAsync(taskId);

        Assert.Equal("timed_out", resolved.Str("status"));
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.False(File.Exists(file));
        Assert.True(Assert.Single(h.Model.ConversationRequests.SelectMany(r => r.ToolResults)).IsError);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}

using System.Text;
using System.Text.Json;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Prompts;

/// <summary>execute_prompt with the real Claude Code CLI against the scripted model server; the test plays the daemon.</summary>
public sealed class PromptExecutionTests
{
    [SkippableFact(Timeout = 60_000)]
    public async Task TextAnswer_StreamsAsOrderedMessages_AndCompletesWithUsage()
    {
        await using var harness = await PromptHarness.StartAsync();
        harness.Model.Script.EnqueueText("Hello", " from", " the model");

        var task = await harness.Daemon.ExecuteAsync("Say hello", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("completed", completion.Status);
        Assert.Null(completion.Error);
        Assert.NotNull(completion.TokenUsage);
        Assert.True(completion.TokenUsage.OutputTokens > 0);
        Assert.False(string.IsNullOrEmpty(completion.AgentSessionId));
        var messages = harness.Daemon.MessagesOf(task.TaskId);
        Assert.Equal(Enumerable.Range(1, messages.Count).Select(i => (long)i), messages.Select(m => m.Sequence));
        var streamed = string.Concat(messages
            .Where(m => m.EventType == EventTypes.ContentBlockDelta)
            .Select(m => m.EventData.GetProperty("event"))
            .Where(e => e.GetProperty("type").GetString() == "content_block_delta")
            .Select(e => e.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal("Hello from the model", streamed);
        var answer = Assert.Single(messages, m => m.EventType == EventTypes.AssistantMessage);
        Assert.Equal("Hello from the model", answer.EventData.GetProperty("message").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(EventTypes.Usage, messages[^1].EventType);
        Assert.Contains(messages, m => m.EventType == EventTypes.System);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task ApprovedWrite_CreatesTheFileInCwd()
    {
        await using var harness = await PromptHarness.StartAsync(o => o with { DecidePermission = _ => Task.FromResult(new PermissionDecision(true)) });
        var file = Path.Combine(harness.WorkingDirectory, "notes.txt");
        harness.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "written by the agent\n" }).EnqueueText("Done.");

        var task = await harness.Daemon.ExecuteAsync("Write notes", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("completed", completion.Status);
        Assert.Equal("written by the agent\n", await File.ReadAllTextAsync(file));
        var asked = Assert.Single(harness.Daemon.PermissionRequests);
        Assert.Equal("Write", asked.ToolName);
        Assert.Equal(task.TaskId, asked.TaskId);
        Assert.Equal(file, asked.ToolInput.GetProperty("file_path").GetString());
        var messages = harness.Daemon.MessagesOf(task.TaskId);
        Assert.Contains(messages, m => m.EventType == EventTypes.ToolCall);
        Assert.Contains(messages, m => m.EventType == EventTypes.ToolResult);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task DeniedBash_DoesNotRun_AndTheModelIsToldWhy()
    {
        await using var harness = await PromptHarness.StartAsync(o => o with { DecidePermission = _ => Task.FromResult(new PermissionDecision(false, "Not today.")) });
        var marker = Path.Combine(harness.WorkingDirectory, "should-not-exist");
        harness.Model.Script.EnqueueToolUse("Bash", new { command = $"touch {marker}", description = "Create a file" }).EnqueueText("Understood.");

        var task = await harness.Daemon.ExecuteAsync("Touch a file", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("completed", completion.Status);
        Assert.False(File.Exists(marker));
        Assert.Equal("Bash", Assert.Single(harness.Daemon.PermissionRequests).ToolName);
        var toolResult = Assert.Single(harness.Model.ConversationRequests.SelectMany(r => r.ToolResults));
        Assert.True(toolResult.IsError);
        Assert.Equal("Not today.", toolResult.Content);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task StopTask_DuringASlowStream_CancelsWithinTwoSeconds_AndLeavesNoProcess()
    {
        await using var harness = await PromptHarness.StartAsync();
        harness.Model.Script.EnqueueSlowText(40, TimeSpan.FromMilliseconds(250));
        var task = await harness.Daemon.ExecuteAsync("Count slowly", harness.WorkingDirectory);
        await harness.Daemon.WaitForMessageAsync(m => m.TaskId == task.TaskId && m.EventType == EventTypes.ContentBlockDelta);
        var agents = harness.AgentPids();
        Assert.NotEmpty(agents);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stop = await harness.Daemon.Peer.InvokeAsync(Methods.StopTask, new StopTaskParams { SessionToken = harness.Daemon.Options.SessionToken, TaskId = task.TaskId, Reason = "user" });
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.True(stop.Stopped);
        Assert.Equal("cancelled", completion.Status);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Assert.All(agents, pid => Assert.False(ProcessTable.IsRunning(pid), $"agent process {pid} is still running"));
        Assert.Empty(harness.AgentPids());
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task TimeoutMs_StopsTheAgent_AndFailsWithCodeTimeout()
    {
        await using var harness = await PromptHarness.StartAsync();
        harness.Model.Script.EnqueueSlowText(40, TimeSpan.FromMilliseconds(250));

        var task = await harness.Daemon.ExecuteAsync("Count slowly", harness.WorkingDirectory, timeoutMs: 1500);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("failed", completion.Status);
        Assert.Equal("timeout", completion.Error?.Code);
        Assert.Contains("1500 ms", completion.Error?.Message, StringComparison.Ordinal);
        Assert.Empty(harness.AgentPids());
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task SecondTask_ResumesTheFirst_TheModelSeesTheEarlierTurns()
    {
        await using var harness = await PromptHarness.StartAsync();
        harness.Model.Script.EnqueueText("ALPHA acknowledged").EnqueueText("BETA acknowledged");
        var first = await harness.Daemon.ExecuteAsync("Remember ALPHA", harness.WorkingDirectory);
        var firstCompletion = await harness.Daemon.WaitForCompletionAsync(first.TaskId);
        Assert.Equal("completed", firstCompletion.Status);

        harness.Daemon.AgentSessionId = firstCompletion.AgentSessionId;
        var second = await harness.Daemon.ExecuteAsync("And BETA?", harness.WorkingDirectory);
        var secondCompletion = await harness.Daemon.WaitForCompletionAsync(second.TaskId);

        Assert.Equal("completed", secondCompletion.Status);
        Assert.Equal(firstCompletion.AgentSessionId, secondCompletion.AgentSessionId);
        var resumed = harness.Model.ConversationRequests[^1];
        Assert.Contains("Remember ALPHA", resumed.UserText, StringComparison.Ordinal);
        Assert.Contains("And BETA?", resumed.UserText, StringComparison.Ordinal);
        Assert.Contains(resumed.Messages, m => m.GetProperty("role").GetString() == "assistant"
            && m.GetRawText().Contains("ALPHA acknowledged", StringComparison.Ordinal));
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task ApiKey_ReachesTheModelExactly_AndNeverTheExecutorsEnvironment()
    {
        await using var harness = await PromptHarness.StartAsync();
        harness.Model.Script.EnqueueSlowText(6, TimeSpan.FromMilliseconds(100));
        var key = harness.Daemon.Options.ApiKey!;

        var task = await harness.Daemon.ExecuteAsync("Hi", harness.WorkingDirectory);
        await harness.Daemon.WaitForMessageAsync(m => m.TaskId == task.TaskId && m.EventType == EventTypes.ContentBlockDelta);
        var whileRunning = await File.ReadAllBytesAsync($"/proc/{harness.Daemon.Executor.Pid}/environ");
        var agentEnvironments = harness.AgentPids().Select(ProcessTable.Environment).ToList();
        await harness.Daemon.WaitForCompletionAsync(task.TaskId);
        var afterwards = await File.ReadAllBytesAsync($"/proc/{harness.Daemon.Executor.Pid}/environ");

        Assert.Equal(["anthropic"], harness.Daemon.ApiKeyRequests);
        Assert.All(harness.Model.ConversationRequests, r => Assert.Equal(key, r.ApiKey));
        Assert.DoesNotContain(key, Encoding.UTF8.GetString(whileRunning), StringComparison.Ordinal);
        Assert.DoesNotContain(key, Encoding.UTF8.GetString(afterwards), StringComparison.Ordinal);
        Assert.Contains(agentEnvironments, e => e.GetValueOrDefault("ANTHROPIC_API_KEY") == key);
        Assert.DoesNotContain(key, harness.Daemon.Executor.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task SecondExecutePrompt_WhileBusy_IsRefusedWithBusy()
    {
        await using var harness = await PromptHarness.StartAsync();
        harness.Model.Script.EnqueueSlowText(20, TimeSpan.FromMilliseconds(100));
        var first = await harness.Daemon.ExecuteAsync("Count", harness.WorkingDirectory);

        var error = await Assert.ThrowsAsync<JsonRpcException>(() => harness.Daemon.ExecuteAsync("Another", harness.WorkingDirectory));

        Assert.Equal(JsonRpcErrorCode.Busy, error.Code);
        Assert.Contains(first.TaskId, error.Message, StringComparison.Ordinal);
        await harness.Daemon.Peer.InvokeAsync(Methods.StopTask, new StopTaskParams { SessionToken = harness.Daemon.Options.SessionToken, TaskId = first.TaskId });
    }

    [SkippableTheory(Timeout = 30_000)]
    [InlineData("cwd", "relative/dir", "default", "'cwd' must be an absolute path")]
    [InlineData("permission_mode", "/tmp", "yolo", "'permission_mode' must be one of default, acceptEdits, bypassPermissions, plan")]
    [InlineData("prompt", "/tmp", "default", "'prompt' must not be empty")]
    public async Task InvalidExecutePrompt_IsRefusedNamingTheField(string field, string cwd, string mode, string expected)
    {
        await using var harness = await PromptHarness.StartAsync();

        var error = await Assert.ThrowsAsync<JsonRpcException>(() => harness.Daemon.ExecuteAsync(field == "prompt" ? " " : "hi", cwd, mode));

        Assert.Equal(JsonRpcErrorCode.InvalidParams, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

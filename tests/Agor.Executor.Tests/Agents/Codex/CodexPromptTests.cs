using System.Text.Json;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Agents.Codex;

/// <summary>execute_prompt with the real Codex CLI (app-server) against the scripted OpenAI server; the test plays the daemon.</summary>
public sealed class CodexPromptTests
{
    [SkippableFact(Timeout = 60_000)]
    public async Task TextAnswer_StreamsAsDeltas_AndCompletesWithUsageAndThreadId()
    {
        await using var harness = await CodexHarness.StartAsync();
        harness.Model.Script.EnqueueText("Hello", " from", " the model");

        var task = await harness.Daemon.ExecuteAsync("Say hello", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("completed", completion.Status);
        Assert.Null(completion.Error);
        Assert.Equal("openai", Assert.Single(harness.Daemon.ApiKeyRequests));
        Assert.Equal(new TokenUsage(100, 9, 0, 20), completion.TokenUsage);
        Assert.False(string.IsNullOrEmpty(completion.AgentSessionId));
        var messages = harness.Daemon.MessagesOf(task.TaskId).ToList();
        Assert.Equal(Enumerable.Range(1, messages.Count).Select(i => (long)i), messages.Select(m => m.Sequence));
        var deltas = messages.Where(m => m.EventType == EventTypes.ContentBlockDelta).ToList();
        Assert.Equal(3, deltas.Count);
        Assert.Equal("Hello from the model", string.Concat(deltas.Select(d => d.EventData.GetProperty("params").GetProperty("delta").GetString())));
        var answer = Assert.Single(messages, m => m.EventType == EventTypes.AssistantMessage);
        Assert.Equal("Hello from the model", answer.EventData.GetProperty("params").GetProperty("item").GetProperty("text").GetString());
        Assert.True(messages.FindIndex(m => m.EventType == EventTypes.ContentBlockDelta) < messages.FindIndex(m => m.EventType == EventTypes.AssistantMessage));
        Assert.Contains(messages, m => m.EventType == EventTypes.Usage);
        Assert.Equal("turn/completed", messages[^1].EventData.GetProperty("method").GetString());
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task ShellCommand_IsAsked_Allowed_Runs_AndItsOutputReachesTheModel()
    {
        await using var harness = await CodexHarness.StartAsync(o => o with { DecidePermission = _ => Task.FromResult(new PermissionDecision(true)) });
        harness.Model.Script.EnqueueShellCommand("echo hi > out.txt && echo shell-output-marker", "call_shell_1").EnqueueText("Done.");

        var task = await harness.Daemon.ExecuteAsync("Write out.txt", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.Equal("hi\n", await File.ReadAllTextAsync(Path.Combine(harness.WorkingDirectory, "out.txt")));
        var asked = Assert.Single(harness.Daemon.PermissionRequests);
        Assert.Equal("exec_command", asked.ToolName);
        Assert.Equal(task.TaskId, asked.TaskId);
        Assert.Contains("echo hi > out.txt", asked.ToolInput.GetProperty("command").GetString(), StringComparison.Ordinal);
        Assert.Equal(harness.WorkingDirectory, asked.ToolInput.GetProperty("cwd").GetString());
        Assert.False(string.IsNullOrEmpty(asked.ToolUseId));
        var output = Assert.Single(harness.Model.ResponsesRequests.SelectMany(r => r.ToolOutputs));
        Assert.Equal("call_shell_1", output.CallId);
        Assert.Contains("shell-output-marker", output.Output, StringComparison.Ordinal);
        var messages = harness.Daemon.MessagesOf(task.TaskId);
        Assert.Contains(messages, m => m.EventType == EventTypes.ToolCall);
        Assert.Contains(messages, m => m.EventType == EventTypes.ToolResult);
        Assert.Equal(new TokenUsage(200, 18, 0, 40), completion.TokenUsage);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task FileEdit_IsAskedAndDenied_NothingIsWritten_AndTheModelIsTold()
    {
        await using var harness = await CodexHarness.StartAsync(o => o with { DecidePermission = _ => Task.FromResult(new PermissionDecision(false, "Not today.")) });
        harness.Model.Script.EnqueueAddFile("patched.txt", "patched by the model\n", "call_patch_1").EnqueueText("Understood.");

        var task = await harness.Daemon.ExecuteAsync("Add a file", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.False(File.Exists(Path.Combine(harness.WorkingDirectory, "patched.txt")));
        var asked = Assert.Single(harness.Daemon.PermissionRequests);
        Assert.Equal("apply_patch", asked.ToolName);
        Assert.Equal(Path.Combine(harness.WorkingDirectory, "patched.txt"), asked.ToolInput.GetProperty("path").GetString());
        Assert.Contains("patched by the model", asked.ToolInput.GetProperty("changes")[0].GetProperty("diff").GetString(), StringComparison.Ordinal);
        var output = Assert.Single(harness.Model.ResponsesRequests.SelectMany(r => r.ToolOutputs));
        Assert.Equal("call_patch_1", output.CallId);
        Assert.Contains("rejected", output.Output, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task StopTask_DuringASlowStream_EndsCancelled_AndLeavesNoProcess()
    {
        await using var harness = await CodexHarness.StartAsync();
        harness.Model.Script.EnqueueSlowText(40, TimeSpan.FromMilliseconds(250));
        var task = await harness.Daemon.ExecuteAsync("Count slowly", harness.WorkingDirectory);
        await harness.Daemon.WaitForMessageAsync(m => m.TaskId == task.TaskId && m.EventType == EventTypes.ContentBlockDelta);
        var tree = ProcessTreeSnapshot.Of(harness.Daemon.Executor.Pid);
        Assert.Contains(tree.Processes, p => p.CommandLine.Contains("app-server", StringComparison.Ordinal));

        var stop = await harness.Daemon.Peer.InvokeAsync(Methods.StopTask, new StopTaskParams { SessionToken = harness.Daemon.Options.SessionToken, TaskId = task.TaskId, Reason = "user" });

        // The stream lasts ten seconds: a completion well before its end was an interrupt.
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId, TimeSpan.FromSeconds(5));
        Assert.True(stop.Stopped);
        Assert.Equal("cancelled", completion.Status);
        Assert.Empty(tree.StillRunning());
        Assert.Empty(harness.AgentPids());
        Assert.DoesNotContain(harness.Daemon.MessagesOf(task.TaskId), m => m.EventType == EventTypes.AssistantMessage);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task SecondPrompt_WithTheFirstsThreadId_ContinuesTheThread()
    {
        await using var harness = await CodexHarness.StartAsync();
        harness.Model.Script.EnqueueText("ALPHA acknowledged").EnqueueText("BETA acknowledged");
        var first = await harness.Daemon.ExecuteAsync("Remember ALPHA", harness.WorkingDirectory);
        var firstCompletion = await harness.Daemon.WaitForCompletionAsync(first.TaskId);
        Assert.True(firstCompletion.Status == CompletionStatus.Completed, firstCompletion.Error?.Message);

        harness.Daemon.AgentSessionId = firstCompletion.AgentSessionId;
        var second = await harness.Daemon.ExecuteAsync("Now BETA", harness.WorkingDirectory);
        var secondCompletion = await harness.Daemon.WaitForCompletionAsync(second.TaskId);

        Assert.True(secondCompletion.Status == CompletionStatus.Completed, secondCompletion.Error?.Message);
        Assert.Equal(firstCompletion.AgentSessionId, secondCompletion.AgentSessionId);
        var last = harness.Model.ResponsesRequests[^1];
        Assert.Contains(last.UserTexts, t => t.Contains("Remember ALPHA", StringComparison.Ordinal));
        Assert.Contains(last.UserTexts, t => t.Contains("Now BETA", StringComparison.Ordinal));
        Assert.Contains("ALPHA acknowledged", last.AssistantTexts);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task TheAgentsEnvironment_HoldsOnlyTheKeyItWasGiven_AndTheModelReceivesItAsBearer()
    {
        await using var harness = await CodexHarness.StartAsync(o => o with
        {
            AgentEnvironment = new Dictionary<string, string>
            {
                ["OPENAI_API_KEY"] = "sk-from-the-context",
                ["ANTHROPIC_API_KEY"] = "sk-ant-from-the-context",
                ["CODEX_HOME"] = "/tmp/elsewhere",
            },
        });
        harness.Model.Script.EnqueueSlowText(20, TimeSpan.FromMilliseconds(100));

        var task = await harness.Daemon.ExecuteAsync("Count", harness.WorkingDirectory);
        await harness.Daemon.WaitForMessageAsync(m => m.TaskId == task.TaskId && m.EventType == EventTypes.ContentBlockDelta);
        var agent = ProcessTreeSnapshot.Of(harness.Daemon.Executor.Pid).Processes.First(p => p.CommandLine.Contains("app-server", StringComparison.Ordinal));
        var environment = ProcessTable.Environment(agent.Pid);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.Equal(harness.ApiKey, environment["AGOR_OPENAI_KEY"]);
        Assert.DoesNotContain(environment, v => v.Key != "AGOR_OPENAI_KEY" && v.Value.Contains(harness.ApiKey, StringComparison.Ordinal));
        Assert.False(environment.ContainsKey("OPENAI_API_KEY"));
        Assert.False(environment.ContainsKey("CODEX_API_KEY"));
        Assert.False(environment.ContainsKey("OPENAI_BASE_URL"));
        Assert.DoesNotContain(environment.Keys, k => k.StartsWith("ANTHROPIC_", StringComparison.Ordinal));
        Assert.Equal(Path.Combine(harness.Daemon.Home, ".codex"), environment["CODEX_HOME"]);
        Assert.NotEmpty(harness.Model.ResponsesRequests);
        Assert.All(harness.Model.Requests, r => Assert.Equal($"Bearer {harness.ApiKey}", r.Authorization));
    }
}

using Agor.Protocol.Wire;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Agents.Gemini;

/// <summary>The real Gemini CLI in ACP mode, driven by the real executor against the scripted Gemini API.</summary>
public sealed class GeminiPromptTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task TextPrompt_ArrivesAsDeltas_WithUsage_TheSessionId_AndExactlyTheGivenKey()
    {
        await using var harness = await GeminiHarness.StartAsync();
        harness.Model.Script.EnqueueText("Hello ", "from ", "Gemini");

        var (task, completion) = await harness.RunAsync("say hello");

        Assert.Equal(CompletionStatus.Completed, completion.Status);
        var deltas = harness.Daemon.MessagesOf(task.TaskId).Where(m => m.EventType == EventTypes.ContentBlockDelta).ToList();
        Assert.Equal(3, deltas.Count);
        Assert.Equal("Hello from Gemini", harness.StreamedText(task.TaskId));
        var message = Assert.Single(harness.Daemon.MessagesOf(task.TaskId), m => m.EventType == EventTypes.AssistantMessage);
        Assert.Equal("Hello from Gemini", message.EventData.GetProperty("content").GetProperty("text").GetString());
        Assert.Equal(new TokenUsage(100, 7), completion.TokenUsage);
        Assert.False(string.IsNullOrEmpty(completion.AgentSessionId));
        Assert.Equal(["google"], harness.Daemon.ApiKeyRequests);

        var request = Assert.Single(harness.Model.ConversationRequests);
        Assert.Equal("gemini-2.5-flash", request.Model);
        Assert.All(harness.Model.Requests, r => Assert.Equal(harness.ApiKey, r.ApiKey));
        Assert.Contains(request.Texts, t => t.Role == "user" && t.Text == "say hello");
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task ShellCommand_IsAsked_Allowed_Runs_AndItsOutputReachesTheModel()
    {
        await using var harness = await GeminiHarness.StartAsync(o => o with { DecidePermission = _ => Task.FromResult(new PermissionDecision(true)) });
        harness.Model.Script.EnqueueShellCommand("echo agor-shell-ran > shell.txt && echo agor-shell-output").EnqueueText("Done.");

        var (task, completion) = await harness.RunAsync("run it");

        Assert.Equal(CompletionStatus.Completed, completion.Status);
        var asked = Assert.Single(harness.Daemon.PermissionRequests);
        Assert.Equal("run_shell_command", asked.ToolName);
        Assert.Equal("agor-shell-ran\n", await File.ReadAllTextAsync(Path.Combine(harness.WorkingDirectory, "shell.txt")));
        var followUp = harness.Model.ConversationRequests[1];
        var response = Assert.Single(followUp.FunctionResponses);
        Assert.Equal("run_shell_command", response.Name);
        Assert.Contains("agor-shell-output", response.Response, StringComparison.Ordinal);
        Assert.Contains(harness.Daemon.MessagesOf(task.TaskId), m => m.EventType == EventTypes.ToolResult);
        Assert.Equal(new TokenUsage(200, 14), completion.TokenUsage);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task FileEdit_IsAsked_Denied_NothingIsWritten_AndTheModelIsTold()
    {
        await using var harness = await GeminiHarness.StartAsync();
        var file = Path.Combine(harness.WorkingDirectory, "denied.txt");
        harness.Model.Script.EnqueueWriteFile(file, "must not appear\n").EnqueueText("Understood.");

        var (_, completion) = await harness.RunAsync("write the file");

        Assert.Equal(CompletionStatus.Completed, completion.Status);
        var asked = Assert.Single(harness.Daemon.PermissionRequests);
        Assert.Equal("write_file", asked.ToolName);
        Assert.False(File.Exists(file), "write_file ran although the daemon denied it");
        var response = Assert.Single(harness.Model.ConversationRequests[1].FunctionResponses);
        Assert.Equal("write_file", response.Name);
        Assert.Contains("cancel", response.Response, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task Stop_DuringASlowStream_EndsTheTaskCancelled_WithNoProcessLeft()
    {
        await using var harness = await GeminiHarness.StartAsync();
        harness.Model.Script.EnqueueSlowText(120, TimeSpan.FromMilliseconds(250));

        var task = await harness.Daemon.ExecuteAsync("count slowly", harness.WorkingDirectory);
        await harness.Daemon.WaitForMessageAsync(m => m.TaskId == task.TaskId && m.EventType == EventTypes.ContentBlockDelta);
        var agents = harness.AgentPids();
        Assert.NotEmpty(agents);
        var stop = await harness.Daemon.Peer.InvokeAsync(Methods.StopTask, new StopTaskParams { SessionToken = harness.Daemon.Options.SessionToken, TaskId = task.TaskId, Reason = "user" });
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.True(stop.Stopped);
        Assert.Equal(CompletionStatus.Cancelled, completion.Status);
        Assert.DoesNotContain("tick120", harness.StreamedText(task.TaskId), StringComparison.Ordinal);
        Assert.All(agents, pid => Assert.False(ProcessTable.IsRunning(pid), $"agent process {pid} is still running"));
        Assert.Empty(harness.AgentPids());
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task Stop_WhileAPermissionQuestionIsOpen_EndsCancelled_AndTheCommandNeverRuns()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<PermissionDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await GeminiHarness.StartAsync(o => o with
        {
            DecidePermission = _ =>
            {
                asked.TrySetResult();
                return never.Task;
            },
        });
        harness.Model.Script.EnqueueShellCommand("echo ran > unasked.txt").EnqueueText("Done.");

        var task = await harness.Daemon.ExecuteAsync("run it", harness.WorkingDirectory);
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var agents = harness.AgentPids();
        await harness.Daemon.Peer.InvokeAsync(Methods.StopTask, new StopTaskParams { SessionToken = harness.Daemon.Options.SessionToken, TaskId = task.TaskId, Reason = "user" });
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);
        never.TrySetResult(new PermissionDecision(true));

        Assert.Equal(CompletionStatus.Cancelled, completion.Status);
        Assert.False(File.Exists(Path.Combine(harness.WorkingDirectory, "unasked.txt")), "the command ran although the task was stopped before an answer");
        Assert.All(agents, pid => Assert.False(ProcessTable.IsRunning(pid), $"agent process {pid} is still running"));
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task SecondPrompt_WithTheAgentSessionId_ContinuesTheConversation()
    {
        await using var harness = await GeminiHarness.StartAsync();
        harness.Model.Script.EnqueueText("Noted: ALPHA.").EnqueueText("It was ALPHA.");

        var (_, first) = await harness.RunAsync("Remember the word ALPHA");
        Assert.Equal(CompletionStatus.Completed, first.Status);
        harness.Daemon.AgentSessionId = first.AgentSessionId;

        // Within the same minute as the first: the CLI's own session-file name collision is avoided by the runner.
        var (task, second) = await harness.RunAsync("Which word was it?");

        Assert.Equal(CompletionStatus.Completed, second.Status);
        Assert.Equal(first.AgentSessionId, second.AgentSessionId);
        Assert.Equal("It was ALPHA.", harness.StreamedText(task.TaskId));
        var texts = harness.Model.ConversationRequests[1].Texts;
        Assert.Contains(texts, t => t.Role == "user" && t.Text == "Remember the word ALPHA");
        Assert.Contains(texts, t => t.Role == "model" && t.Text.Contains("Noted: ALPHA.", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Role == "user" && t.Text == "Which word was it?");
    }
}

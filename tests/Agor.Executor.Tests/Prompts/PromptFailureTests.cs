using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Prompts;

/// <summary>Every way a prompt can fail, and what the daemon is told: reported, never hung.</summary>
public sealed class PromptFailureTests
{
    [SkippableFact(Timeout = 30_000)]
    public async Task AgentBinaryMissing_FailsWithAgentNotFound()
    {
        await using var harness = await PromptHarness.StartAsync(o => o with { AgentPath = "/nonexistent/claude" });

        var task = await harness.Daemon.ExecuteAsync("hi", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("failed", completion.Status);
        Assert.Equal("agent_not_found", completion.Error?.Code);
        Assert.Contains("/nonexistent/claude", completion.Error?.Message, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 30_000)]
    public async Task NoApiKey_FailsAndSaysWhichService()
    {
        await using var harness = await PromptHarness.StartAsync(o => o with { ApiKey = null });

        var task = await harness.Daemon.ExecuteAsync("hi", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("failed", completion.Status);
        Assert.Equal("no_api_key", completion.Error?.Code);
        Assert.Contains("'anthropic'", completion.Error?.Message, StringComparison.Ordinal);
        Assert.Empty(harness.Model.Requests);
    }

    [SkippableTheory(Timeout = 30_000)]
    [InlineData(401)]
    [InlineData(529)]
    public async Task ModelApiRefuses_FailsWithTheAgentsOwnMessage(int status)
    {
        await using var harness = await PromptHarness.StartAsync();
        harness.Model.Script.EnqueueError(status, times: 5);

        var task = await harness.Daemon.ExecuteAsync("hi", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("failed", completion.Status);
        Assert.Equal("api_error", completion.Error?.Code);
        var resultFrame = harness.Daemon.MessagesOf(task.TaskId).Last(m => m.EventType == EventTypes.Usage).EventData;
        Assert.Equal(resultFrame.GetProperty("result").GetString(), completion.Error?.Message);
        Assert.False(string.IsNullOrWhiteSpace(completion.Error?.Message));
    }

    [SkippableFact(Timeout = 30_000)]
    public async Task AgentCrashes_FailsWithTheTailOfItsStderr()
    {
        using var agent = await FakeAgent.WriteAsync("read line\necho 'fatal: the agent fell over' >&2\nexit 7\n");
        await using var harness = await PromptHarness.StartAsync(o => o with { AgentPath = agent.Path });

        var task = await harness.Daemon.ExecuteAsync("hi", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("failed", completion.Status);
        Assert.Equal("agent_crashed", completion.Error?.Code);
        Assert.Contains("exited with code 7", completion.Error?.Message, StringComparison.Ordinal);
        Assert.Contains("fatal: the agent fell over", completion.Error?.Message, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 30_000)]
    public async Task MalformedLineFromTheAgent_IsReportedAsAnError_AndTheTaskGoesOn()
    {
        using var agent = await FakeAgent.WriteAsync(
            "read line\n" +
            "echo 'this is not json'\n" +
            "echo '{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"fine\",\"session_id\":\"s-1\",\"total_cost_usd\":0.25,\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}'\n");
        await using var harness = await PromptHarness.StartAsync(o => o with { AgentPath = agent.Path });

        var task = await harness.Daemon.ExecuteAsync("hi", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        var error = Assert.Single(harness.Daemon.Errors);
        Assert.Equal("agent_malformed_output", error.Error.Code);
        Assert.Equal("completed", completion.Status);
        Assert.Equal(new TokenUsage(3, 4), completion.TokenUsage);
        Assert.Equal(0.25, completion.CostUsd);
        Assert.Equal("s-1", completion.AgentSessionId);
    }

    [SkippableFact(Timeout = 30_000)]
    public async Task DaemonDisconnectsMidTask_TheAgentIsEnded_AndTheExecutorExits()
    {
        await using var harness = await PromptHarness.StartAsync();
        harness.Model.Script.EnqueueSlowText(40, TimeSpan.FromMilliseconds(250));
        var task = await harness.Daemon.ExecuteAsync("Count slowly", harness.WorkingDirectory);
        await harness.Daemon.WaitForMessageAsync(m => m.TaskId == task.TaskId && m.EventType == EventTypes.ContentBlockDelta);
        var agents = harness.AgentPids();
        Assert.NotEmpty(agents);

        await harness.Daemon.Peer.DisposeAsync();

        await harness.Daemon.Executor.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, harness.Daemon.Executor.ExitCode);
        Assert.All(agents, pid => Assert.False(ProcessTable.IsRunning(pid), $"agent process {pid} outlived its executor"));
    }

    [SkippableFact(Timeout = 30_000)]
    public async Task MissingWorkingDirectory_FailsClearly()
    {
        await using var harness = await PromptHarness.StartAsync();

        var task = await harness.Daemon.ExecuteAsync("hi", "/nonexistent/project");
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("failed", completion.Status);
        Assert.Equal("invalid_cwd", completion.Error?.Code);
    }
}

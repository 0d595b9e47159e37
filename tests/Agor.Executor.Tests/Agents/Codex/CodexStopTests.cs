using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;

namespace Agor.Executor.Tests.Agents.Codex;

/// <summary>Codex runs that end before their turn completes: a stop during a question, a timeout, an unknown thread.</summary>
public sealed class CodexStopTests
{
    [SkippableFact(Timeout = 60_000)]
    public async Task StopTask_WhileAShellCommandAwaitsPermission_EndsCancelled_AndTheCommandNeverRuns()
    {
        var unanswered = new TaskCompletionSource<PermissionDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await CodexHarness.StartAsync(o => o with
        {
            DecidePermission = _ =>
            {
                asked.TrySetResult();
                return unanswered.Task;
            },
        });
        var marker = Path.Combine(harness.WorkingDirectory, "should-not-exist");
        harness.Model.Script.EnqueueShellCommand($"touch {marker}");
        try
        {
            var task = await harness.Daemon.ExecuteAsync("Touch it", harness.WorkingDirectory);
            await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));

            var stop = await harness.Daemon.Peer.InvokeAsync(Methods.StopTask, new StopTaskParams { SessionToken = harness.Daemon.Options.SessionToken, TaskId = task.TaskId, Reason = "user" });
            var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId, TimeSpan.FromSeconds(10));

            Assert.True(stop.Stopped);
            Assert.Equal("cancelled", completion.Status);
            Assert.False(File.Exists(marker));
            Assert.Empty(harness.AgentPids());
        }
        finally
        {
            unanswered.TrySetResult(new PermissionDecision(false, "too late"));
        }
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task TimeoutMs_StopsCodex_AndFailsWithCodeTimeout()
    {
        await using var harness = await CodexHarness.StartAsync();
        harness.Model.Script.EnqueueSlowText(40, TimeSpan.FromMilliseconds(250));

        var task = await harness.Daemon.ExecuteAsync("Count slowly", harness.WorkingDirectory, timeoutMs: 1500);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("failed", completion.Status);
        Assert.Equal("timeout", completion.Error?.Code);
        Assert.Empty(harness.AgentPids());
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task ResumingAThreadCodexDoesNotKnow_FailsWithItsReason()
    {
        await using var harness = await CodexHarness.StartAsync(o => o with { AgentSessionId = "01a23559-0000-7000-8000-000000000000" });

        var task = await harness.Daemon.ExecuteAsync("Continue", harness.WorkingDirectory);
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("failed", completion.Status);
        Assert.Equal("agent_error", completion.Error?.Code);
        Assert.Contains("thread/resume", completion.Error?.Message, StringComparison.Ordinal);
        Assert.Empty(harness.Model.ResponsesRequests);
        Assert.Empty(harness.AgentPids());
    }
}

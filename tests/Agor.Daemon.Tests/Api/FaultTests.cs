using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Api;

/// <summary>Faults lose nothing and hang nothing: a killed executor, a killed daemon, a stopped daemon.</summary>
public sealed class FaultTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task ExecutorKilledMidTask_FailsTheTaskAtOnce_AndKeepsItsMessages()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Model.Script.EnqueueSlowText(200, TimeSpan.FromMilliseconds(100));
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "Talk slowly");
        await h.Events.WaitForAsync(e => e.Type == "message.created" && e.Str("task_id") == taskId);
        var executor = Assert.Single((await h.Daemon.GetAsync("/executors")).EnumerateArray());
        Assert.Equal(taskId, executor.GetProperty("task_id").GetString());

        Assert.True(Signals.Send(executor.GetProperty("pid").GetInt32(), Signals.SigKill));
        var task = await h.WaitForTaskEndAsync(taskId, TimeSpan.FromSeconds(5));

        Assert.Equal("failed", task.GetProperty("status").GetString());
        Assert.Equal("executor_crashed", task.GetProperty("error").GetProperty("code").GetString());
        Assert.NotEmpty((await h.Daemon.GetAsync($"/sessions/{session}/messages")).EnumerateArray());
        await h.Events.WaitForAsync(e => e.Type == "executor.updated" && e.Str("kind") == "crashed");
        Assert.Empty((await h.Daemon.GetAsync("/executors")).EnumerateArray());
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task DaemonKilledMidTask_TheNextStartFailsTheTask_RevokesItsToken_AndNoExecutorSurvives()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Model.Script.EnqueueSlowText(300, TimeSpan.FromMilliseconds(100));
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "Talk slowly");
        await h.Events.WaitForAsync(e => e.Type == "message.created" && e.Str("task_id") == taskId);
        var executorPid = Assert.Single((await h.Daemon.GetAsync("/executors")).EnumerateArray()).GetProperty("pid").GetInt32();
        var kept = (await h.Daemon.GetAsync($"/sessions/{session}/messages")).GetArrayLength();

        await h.RestartAfterKillAsync();

        var task = await h.Daemon.GetAsync($"/tasks/{taskId}");
        Assert.Equal("failed", task.GetProperty("status").GetString());
        Assert.Equal("daemon_restarted", task.GetProperty("error").GetProperty("code").GetString());
        Assert.True((await h.Daemon.GetAsync($"/sessions/{session}/messages")).GetArrayLength() >= kept);
        Assert.True(await ProcessTable.WaitForExitAsync(executorPid, TimeSpan.FromSeconds(5)), "the executor of the killed daemon is gone");
        Assert.Empty(ProcessTable.FindByCommandLine(h.WorkingDirectory));
        Assert.Contains("marked failed", h.Daemon.Log, StringComparison.Ordinal);

        // The session works again after the restart.
        h.Model.Script.Clear();
        h.Model.Script.EnqueueText("Back again.");
        var next = await h.PromptAsync(session, "Are you there?");
        Assert.Equal("completed", (await h.WaitForTaskEndAsync(next)).GetProperty("status").GetString());
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task Sigterm_StopsTheRunningTaskAsCancelled_AndExitsCleanly()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Model.Script.EnqueueSlowText(300, TimeSpan.FromMilliseconds(100));
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "Talk slowly");
        await h.Events.WaitForAsync(e => e.Type == "message.delta" && e.Str("task_id") == taskId);
        var executorPid = Assert.Single((await h.Daemon.GetAsync("/executors")).EnumerateArray()).GetProperty("pid").GetInt32();

        await h.Daemon.StopAsync();

        Assert.Equal(0, h.Daemon.ExitCode);
        Assert.False(ProcessTable.IsRunning(executorPid));
        // Read to the end of the stream: the daemon may exit before the client has parsed its last bytes.
        await h.Events.WaitForAsync(e => e.Type == "task.updated" && e.Str("id") == taskId && e.Str("status") == "cancelled", TimeSpan.FromSeconds(10));
        Assert.Contains("stopped", h.Daemon.Log, StringComparison.Ordinal);
    }
}

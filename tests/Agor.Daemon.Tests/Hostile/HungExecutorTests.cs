using System.Diagnostics;
using Agor.Testing.Support;
using Xunit.Abstractions;

namespace Agor.Daemon.Tests.Hostile;

/// <summary>
/// Executors that stop answering — the prompt never acknowledged, stop_task and shutdown ignored,
/// the process stopped with SIGSTOP, a task running past its timeout — cannot hang a stop, SIGTERM
/// or the task: each ends within the bound its configuration gives, the executor killed and reaped.
/// </summary>
public sealed class HungExecutorTests(ITestOutputHelper output)
{
    // Generous slack over the configured bounds: a loaded CI machine, the process start of the probe.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(4);

    [SkippableFact(Timeout = 90_000)]
    public async Task Stop_OfATaskWhoseExecutorIgnoresStopTask_AnswersCancelledWithinItsGrace_AndTheExecutorIsReaped()
    {
        await using var d = await HostileDaemon.StartAsync("accept-then-hang", ["stop_grace_ms: 1000", "shutdown_grace_ms: 1000", "request_timeout_ms: 2000"]);
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "hang");
        await h.Events.WaitForAsync(e => e.Type == "task.updated" && e.Str("id") == taskId && e.Str("status") == "running");
        var executorPid = Assert.Single((await h.Daemon.GetAsync("/executors")).EnumerateArray()).GetProperty("pid").GetInt32();
        await WaitForRecordAsync(d, "execute_prompt", taskId);

        var clock = Stopwatch.StartNew();
        var stopped = await h.Daemon.PostAsync($"/tasks/{taskId}/stop");
        clock.Stop();

        output.WriteLine($"stop answered after {clock.Elapsed.TotalMilliseconds:0} ms (stop_grace_ms 1000, shutdown_grace_ms 1000)");
        Assert.Equal("cancelled", stopped.GetProperty("status").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(1000 + 1000) + Slack, $"stop took {clock.Elapsed}");
        Assert.Contains(taskId, d.Recorded("stop_task"));
        Assert.True(await ProcessTable.WaitForExitAsync(executorPid, TimeSpan.FromSeconds(5)), "the hung executor was killed and reaped");
        Assert.Equal("cancelled", (await h.Daemon.GetAsync($"/tasks/{taskId}")).GetProperty("status").GetString());
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Sigterm_WhileAnExecutorNeverAnswersExecutePrompt_EndsTheDaemonWithinItsBound()
    {
        // request_timeout_ms far beyond the bound: only the stop path may end this task.
        await using var d = await HostileDaemon.StartAsync("silent", ["stop_grace_ms: 1000", "shutdown_grace_ms: 1000", "request_timeout_ms: 120000"]);
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "never answered");
        await WaitForRecordAsync(d, "execute_prompt", taskId);
        var executorPid = Assert.Single((await h.Daemon.GetAsync("/executors")).EnumerateArray()).GetProperty("pid").GetInt32();

        var clock = Stopwatch.StartNew();
        await h.Daemon.StopAsync(TimeSpan.FromSeconds(60));
        clock.Stop();

        // DaemonHost.StopAsync: stop grace + 2 × shutdown grace for the tasks, the pool's 3 × grace + 1 s, the API's 5 s.
        var bound = TimeSpan.FromMilliseconds(1000 + (2 * 1000) + (3 * 1000) + 1000 + 5000);
        output.WriteLine($"SIGTERM to exit: {clock.Elapsed.TotalMilliseconds:0} ms (bound {bound.TotalMilliseconds:0} ms)");
        Assert.True(clock.Elapsed < bound + Slack, $"SIGTERM took {clock.Elapsed}, bound {bound}");
        Assert.Equal(0, h.Daemon.ExitCode);
        Assert.False(ProcessTable.IsRunning(executorPid));
        await h.Events.WaitForAsync(e => e.Type == "task.updated" && e.Str("id") == taskId && e.Str("status") == "cancelled", TimeSpan.FromSeconds(10));
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task ExecutePromptNeverAnswered_FailsTheTaskAsUnresponsive_WithinTheRequestTimeout()
    {
        await using var d = await HostileDaemon.StartAsync("silent", ["request_timeout_ms: 1500", "shutdown_grace_ms: 1000", "heartbeat_interval_ms: 0"]);
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var clock = Stopwatch.StartNew();
        var taskId = await h.PromptAsync(session, "never answered");

        var task = await h.WaitForTaskEndAsync(taskId, TimeSpan.FromSeconds(30));

        Assert.Equal("failed", task.GetProperty("status").GetString());
        Assert.Equal("executor_unresponsive", task.GetProperty("error").GetProperty("code").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(1500 + 1000) + Slack + Slack, $"took {clock.Elapsed}");
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task ExecutorStoppedWithSigstop_FailsTheTaskAsUnresponsive_AndIsKilled()
    {
        await using var d = await HostileDaemon.StartAsync("sigstop", ["heartbeat_interval_ms: 300", "request_timeout_ms: 1000", "shutdown_grace_ms: 1000"]);
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "stop yourself");
        await WaitForRecordAsync(d, "sigstop", taskId);
        var executorPid = Assert.Single((await h.Daemon.GetAsync("/executors")).EnumerateArray()).GetProperty("pid").GetInt32();
        var clock = Stopwatch.StartNew();

        var task = await h.WaitForTaskEndAsync(taskId, TimeSpan.FromSeconds(30));
        output.WriteLine($"SIGSTOPped executor: task failed {clock.Elapsed.TotalMilliseconds:0} ms after the stop");

        Assert.Equal("failed", task.GetProperty("status").GetString());
        Assert.Equal("executor_unresponsive", task.GetProperty("error").GetProperty("code").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(300 + 1000 + 1000) + Slack, $"took {clock.Elapsed}");
        Assert.True(await ProcessTable.WaitForExitAsync(executorPid, TimeSpan.FromSeconds(5)), "the stopped executor was killed and reaped");
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task TaskRunningPastItsTimeout_IsFailedByTheDaemon_EvenWhenTheExecutorNeverReports()
    {
        await using var d = await HostileDaemon.StartAsync("accept-then-hang", ["task_timeout_ms: 1000", "stop_grace_ms: 500", "shutdown_grace_ms: 1000", "heartbeat_interval_ms: 0"]);
        var h = d.Harness;
        var session = await h.CreateSessionAsync();
        var taskId = await h.PromptAsync(session, "hang past the timeout");

        var task = await h.WaitForTaskEndAsync(taskId, TimeSpan.FromSeconds(30));

        Assert.Equal("failed", task.GetProperty("status").GetString());
        Assert.Equal("timeout", task.GetProperty("error").GetProperty("code").GetString());

        // The task's end is announced before its executor is reaped; the pool empties right after.
        await h.Events.WaitForAsync(e => e.Type == "executor.updated" && e.Str("kind") is "stopped" or "crashed", TimeSpan.FromSeconds(30));
        Assert.Empty((await h.Daemon.GetAsync("/executors")).EnumerateArray());
    }

    /// <summary>Waits for the hostile executor to record <paramref name="key"/>=<paramref name="value"/> (it writes the line as it acts).</summary>
    internal static async Task WaitForRecordAsync(HostileDaemon d, string key, string value, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!d.Recorded(key).Contains(value))
        {
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException($"the hostile executor never recorded {key}={value}; it recorded: {string.Join(", ", d.Record)}");
            }

            await timer.WaitForNextTickAsync();
        }
    }
}

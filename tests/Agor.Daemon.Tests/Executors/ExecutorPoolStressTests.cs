using Agor.Daemon.Executors;
using Agor.Protocol.JsonRpc;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Executors;

/// <summary>The pool under pressure and under faults: limits, crashes, executors that never get ready, reaping.</summary>
public sealed class ExecutorPoolStressTests
{
    [Fact(Timeout = 60_000)]
    public async Task MoreAcquisitionsThanMaxExecutors_WaitInFifoOrder_AndCancellationLeavesTheLine()
    {
        await using var harness = await PoolHarness.StartAsync(s => s with { MaxExecutors = 2 });
        var pool = harness.Pool;
        var a = await pool.AcquireAsync();
        var b = await pool.AcquireAsync();

        var third = pool.AcquireAsync();
        using var cancelFourth = new CancellationTokenSource();
        var fourth = pool.AcquireAsync(cancellationToken: cancelFourth.Token);
        var fifth = pool.AcquireAsync();
        Assert.False(third.IsCompleted);
        Assert.Equal(2, pool.Snapshot().Count);

        await cancelFourth.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fourth);

        await a.DisposeAsync();
        var c = await third;
        Assert.False(fifth.IsCompleted);
        await b.DisposeAsync();
        var e = await fifth;

        Assert.True(pool.Snapshot().Count <= 2);
        Assert.True((await c.Client.PingAsync()).Pong);
        Assert.True((await e.Client.PingAsync()).Pong);
        await c.DisposeAsync();
        await e.DisposeAsync();
        Assert.Empty(pool.Snapshot());
    }

    [Fact(Timeout = 60_000)]
    public async Task ExecutorKilledWithPendingRequests_FailsThemAtOnceAndLeavesThePool()
    {
        await using var harness = await PoolHarness.StartAsync(s => s with { MaxExecutors = 1 });
        var lease = await harness.Pool.AcquireAsync();
        var pid = lease.Pid;

        // Freeze it so that requests stay pending, then kill it.
        Assert.Equal(0, Native.Kill(pid, Native.SigStop));
        Assert.True(await ProcessTable.WaitUntilStoppedAsync(pid, TimeSpan.FromSeconds(5)));
        var pending = Enumerable.Range(0, 50).Select(_ => lease.Client.PingAsync()).ToArray();
        Assert.Equal(0, Native.Kill(pid, Native.SigKill));

        foreach (var call in pending)
        {
            await Assert.ThrowsAsync<JsonRpcConnectionLostException>(() => call).WaitAsync(TimeSpan.FromSeconds(2));
        }

        var crash = await harness.WaitForEventAsync("crashed", TimeSpan.FromSeconds(5));
        Assert.Equal(lease.ExecutorId, crash.Executor.ExecutorId);
        Assert.Empty(harness.Pool.Snapshot());
        Assert.False(ProcessTable.IsZombie(pid));
        Assert.Contains(harness.Logger.Messages, m => m.Contains($"executor {lease.ExecutorId} crashed", StringComparison.Ordinal));

        // The crashed executor's place is free again (max_executors is 1), and its lease can still be disposed.
        await using var next = await harness.Pool.AcquireAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await lease.DisposeAsync();
        Assert.True((await next.Client.PingAsync()).Pong);
    }

    [Fact(Timeout = 60_000)]
    public async Task ExecutorThatNeverGetsReady_IsKilledAndTheCallerGetsAClearError()
    {
        using var script = await TemporaryScript.CreateAsync("never-ready.sh", "#!/bin/sh\necho starting >&2\nexec sleep 300 # agor-never-ready\n");
        await using var harness = await PoolHarness.StartAsync(s => s with { ConnectionTimeoutMs = 300, MaxExecutors = 1 }, script.Path);

        var error = await Assert.ThrowsAsync<ExecutorStartException>(() => harness.Pool.AcquireAsync());

        Assert.Contains("not ready within 300 ms; the process was killed", error.Message, StringComparison.Ordinal);
        Assert.Contains("starting", error.Message, StringComparison.Ordinal);
        Assert.Empty(ProcessTable.FindByCommandLine("agor-never-ready"));
        Assert.Empty(harness.Pool.Snapshot());

        // Its place was given back: the next attempt is not stuck behind it.
        await Assert.ThrowsAsync<ExecutorStartException>(() => harness.Pool.AcquireAsync()).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = 60_000)]
    public async Task ExecutorThatExitsAtOnce_ReportsItsExitCodeAndStderr()
    {
        using var script = await TemporaryScript.CreateAsync("exits-at-once.sh", "#!/bin/sh\necho 'cannot bind: boom' >&2\nexit 3\n");
        await using var harness = await PoolHarness.StartAsync(s => s with { MaxExecutors = 1 }, script.Path);

        var error = await Assert.ThrowsAsync<ExecutorStartException>(() => harness.Pool.AcquireAsync());

        Assert.Contains("exited with code 3 before it was ready: cannot bind: boom", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task MissingExecutorBinary_IsAClearError()
    {
        await using var harness = await PoolHarness.StartAsync(executorPath: "/nonexistent/agor-executor");

        var error = await Assert.ThrowsAsync<ExecutorStartException>(() => harness.Pool.AcquireAsync());

        Assert.Contains("cannot run /nonexistent/agor-executor", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task WarmExecutor_IsStartedAheadAndHandedOut()
    {
        await using var harness = await PoolHarness.StartAsync(s => s with { WarmExecutors = 1, MaxExecutors = 2 });
        var warm = await harness.WaitForEventAsync("started", TimeSpan.FromSeconds(10));
        Assert.Equal(ExecutorState.Idle, Assert.Single(harness.Pool.Snapshot()).State);

        await using var lease = await harness.Pool.AcquireAsync();

        Assert.Equal(warm.Executor.ExecutorId, lease.ExecutorId);
    }

    [Fact(Timeout = 60_000)]
    public async Task IdleWarmExecutor_IsReapedAfterIdleTimeout_LeavingNothingBehind()
    {
        await using var harness = await PoolHarness.StartAsync(s => s with { WarmExecutors = 1, IdleTimeoutMs = 300 });
        var started = await harness.WaitForEventAsync("started", TimeSpan.FromSeconds(10));

        var reaped = await harness.WaitForEventAsync("reaped", TimeSpan.FromSeconds(10));

        Assert.Equal(started.Executor.ExecutorId, reaped.Executor.ExecutorId);
        Assert.False(ProcessTable.IsRunning(started.Executor.Pid));
        Assert.False(ProcessTable.IsZombie(started.Executor.Pid));
        Assert.Empty(harness.Pool.Snapshot());
        Assert.Empty(harness.LeftoverSockets());
    }

}

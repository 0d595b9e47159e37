using Agor.Daemon.Executors;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Executors;

/// <summary>The seed's integration scenario, and then some, against real executor processes.</summary>
public sealed class ExecutorPoolTests
{
    private static readonly JsonRpcMethod<PingParams, PingResult> UnknownMethod = new("no_such_method", ProtocolJsonContext.Default.PingParams, ProtocolJsonContext.Default.PingResult);

    [Fact(Timeout = 60_000)]
    public async Task SeedScenario_SpawnPingConcurrencySeveralExecutorsErrorsTerminationTrackingCleanup()
    {
        await using var harness = await PoolHarness.StartAsync();
        var pool = harness.Pool;

        // 1-2. Spawn, connect, ping.
        var first = await pool.AcquireAsync();
        var pong = await first.Client.PingAsync();
        Assert.True(pong.Pong);
        Assert.Equal(first.Pid, pong.Pid);
        Assert.True(ProcessTable.IsRunning(pong.Pid));

        // 3. Sequential requests.
        for (var i = 0; i < 100; i++)
        {
            Assert.True((await first.Client.PingAsync()).Pong);
        }

        // 4. Concurrent requests: hundreds in flight on one connection.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => first.Client.PingAsync()));
        Assert.All(concurrent, r => Assert.Equal(pong.Pid, r.Pid));

        // 5. Several executors at once, each its own process.
        var more = await Task.WhenAll(pool.AcquireAsync(), pool.AcquireAsync());
        var pids = new[] { first.Pid, more[0].Pid, more[1].Pid };
        Assert.Equal(3, pids.Distinct().Count());
        Assert.All(await Task.WhenAll(more.Select(l => l.Client.PingAsync())), r => Assert.True(r.Pong));

        // 6. Unknown method.
        var error = await Assert.ThrowsAsync<JsonRpcException>(() => first.Client.Peer.InvokeAsync(UnknownMethod, new PingParams()));
        Assert.Equal(JsonRpcErrorCode.MethodNotFound, error.Code);

        // 7. Graceful termination of two, and 8. tracking.
        Assert.Equal(3, pool.Snapshot().Count);
        Assert.All(pool.Snapshot(), e => Assert.Equal(ExecutorState.Busy, e.State));
        await more[0].DisposeAsync();
        await more[1].DisposeAsync();
        Assert.False(ProcessTable.IsRunning(more[0].Pid));
        Assert.False(ProcessTable.IsRunning(more[1].Pid));
        var remaining = Assert.Single(pool.Snapshot());
        Assert.Equal(first.ExecutorId, remaining.ExecutorId);
        Assert.Equal(first.Pid, remaining.Pid);
        Assert.Contains(harness.Logger.Messages, m => m.Contains($"executor {more[0].ExecutorId} stopped (task finished)", StringComparison.Ordinal));

        // 9. Cleanup: the pool's end stops the rest, leaves no process, zombie or socket.
        await pool.DisposeAsync();
        Assert.False(ProcessTable.IsRunning(first.Pid));
        Assert.False(ProcessTable.IsZombie(first.Pid));
        Assert.Empty(pool.Snapshot());
        Assert.Empty(harness.LeftoverSockets());
    }

    [Fact(Timeout = 60_000)]
    public async Task EachExecutorServesOneTask_AndIsShutDownGracefullyAfterwards()
    {
        await using var harness = await PoolHarness.StartAsync();

        var lease = await harness.Pool.AcquireAsync();
        var pid = lease.Pid;
        await lease.DisposeAsync();
        var next = await harness.Pool.AcquireAsync();

        Assert.NotEqual(pid, next.Pid);
        Assert.False(ProcessTable.IsRunning(pid));
        Assert.DoesNotContain(harness.Logger.Messages, m => m.Contains("sending SIG", StringComparison.Ordinal));
        Assert.Contains(harness.Logger.Messages, m => m.Contains("exiting: shutdown requested", StringComparison.Ordinal));
        await next.DisposeAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task ExecutorLogLines_ReachTheDaemonLogTaggedWithTheExecutorId()
    {
        await using var harness = await PoolHarness.StartAsync();

        await using (var lease = await harness.Pool.AcquireAsync())
        {
            Assert.Contains(harness.Logger.Messages, m => m.StartsWith($"[executor {lease.ExecutorId}] info executor[1] listening on", StringComparison.Ordinal));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ExecutorEnvironment_IsAnAllowList_NotTheDaemons()
    {
        Environment.SetEnvironmentVariable("AGOR_TEST_PLANTED_SECRET", "sk-planted-in-daemon");
        try
        {
            await using var harness = await PoolHarness.StartAsync();
            await using var lease = await harness.Pool.AcquireAsync();

            var environment = ProcessTable.Environment(lease.Pid);

            Assert.DoesNotContain("AGOR_TEST_PLANTED_SECRET", environment.Keys);
            Assert.DoesNotContain(environment.Values, v => v.Contains("sk-planted", StringComparison.Ordinal));
            Assert.All(environment.Keys, k => Assert.Contains(k, new[] { "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "DOTNET_ROOT", "AGOR_EXECUTOR_LOG_LEVEL" }));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AGOR_TEST_PLANTED_SECRET", null);
        }
    }
}

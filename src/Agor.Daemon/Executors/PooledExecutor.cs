using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Executors;

/// <summary>An executor process with its connection, as the pool holds it.</summary>
internal sealed class PooledExecutor(ExecutorLaunchSpec spec, ExecutorProcess process, ExecutorClient client, int executorPid)
{
    private readonly Lock _lock = new();
    private Task? _termination;

    public string Id => spec.ExecutorId;

    public ExecutorLaunchSpec Spec => spec;

    public ExecutorProcess Process => process;

    public ExecutorClient Client => client;

    public int ExecutorPid => executorPid;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public ExecutorState State { get; set; } = ExecutorState.Idle;

    public string? TaskId { get; set; }

    /// <summary>Cancels the idle reaper of a warm executor once it is leased.</summary>
    public CancellationTokenSource? IdleTimer { get; set; }

    /// <summary>True once the process has exited or its connection has closed.</summary>
    public bool HasDied => process.HasExited || client.Completion.IsCompleted;

    /// <summary>How it died, for the log and the <c>crashed</c> event.</summary>
    public string DeathDetail => process.HasExited
        ? $"process exited with code {process.ExitCode}"
        : $"connection lost ({client.Peer.CloseReason})";

    public ExecutorInfo Snapshot() => new(Id, executorPid, spec.UnixUser, State, TaskId, StartedAt);

    /// <summary>
    /// Stops the executor once, however many callers ask: a <c>shutdown</c> request, then SIGTERM,
    /// then SIGKILL, each step bounded by <paramref name="grace"/>, and the process always reaped.
    /// </summary>
    public Task TerminateAsync(string reason, TimeSpan grace, ILogger logger)
    {
        lock (_lock)
        {
            return _termination ??= RunTerminationAsync(reason, grace, logger);
        }
    }

    private async Task RunTerminationAsync(string reason, TimeSpan grace, ILogger logger)
    {
        if (!process.HasExited && client.Completion.IsCompleted is false)
        {
            try
            {
                await client.ShutdownAsync(reason, grace);
            }
            catch (Exception ex) when (ex is Protocol.JsonRpc.JsonRpcException or Protocol.JsonRpc.JsonRpcConnectionLostException or TimeoutException)
            {
                ExecutorPoolLog.ShutdownRequestFailed(logger, Id, ex.Message);
            }
        }

        if (!await ExitedWithinAsync(grace))
        {
            ExecutorPoolLog.Escalating(logger, Id, "SIGTERM");
            process.Terminate();
            if (!await ExitedWithinAsync(grace))
            {
                ExecutorPoolLog.Escalating(logger, Id, "SIGKILL");
                process.Kill();
            }
        }

        await client.DisposeAsync();
        await process.DisposeAsync();
        // The executor removes its socket itself; this covers one that died before it could.
        SocketFiles.TryDelete(spec.SocketPath);
    }

    private async Task<bool> ExitedWithinAsync(TimeSpan grace)
    {
        if (process.HasExited)
        {
            return true;
        }

        return await Task.WhenAny(process.Exited, Task.Delay(grace)) == process.Exited;
    }
}

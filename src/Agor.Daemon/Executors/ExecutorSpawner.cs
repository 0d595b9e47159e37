using System.Diagnostics;
using Agor.Protocol.JsonRpc;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Executors;

/// <summary>
/// Starts one executor and proves it is the process we started: the socket's peer is checked
/// against the kernel's view of the child, and the pid it reports must be that one. Holds no pool
/// state: the pool takes the slot before it calls and owns the executor once it is returned.
/// </summary>
internal sealed class ExecutorSpawner
{
    private readonly ExecutorPoolOptions _options;
    private readonly ExecutorLauncher _launcher;
    private readonly ILogger _logger;
    private readonly JsonRpcPeerOptions _peerOptions;

    public ExecutorSpawner(ExecutorPoolOptions options, ExecutorLauncher launcher, ILogger logger)
    {
        _options = options;
        _launcher = launcher;
        _logger = logger;
        _peerOptions = new JsonRpcPeerOptions
        {
            MaxLineBytes = options.Settings.MaxLineBytes,
            MaxRequestsInFlight = options.Settings.MaxRequestsInFlight,
            MaxBatchSize = options.Settings.MaxBatchSize,
        };
    }

    /// <summary>
    /// Starts an executor for <paramref name="user"/> and returns it connected, verified and
    /// <see cref="ExecutorState.Idle"/>. Throws <see cref="ExecutorStartException"/> when it cannot
    /// run, is not ready within <c>connection_timeout_ms</c> (or before <paramref name="shutdown"/>),
    /// or is not the process we started; <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled. On failure nothing is left behind.
    /// </summary>
    public async Task<PooledExecutor> SpawnAsync(string user, CancellationToken shutdown, CancellationToken cancellationToken = default)
    {
        var spec = _launcher.Plan(user);
        var timeout = TimeSpan.FromMilliseconds(_options.Settings.ConnectionTimeoutMs);
        var clock = Stopwatch.StartNew();
        ExecutorProcess process;
        try
        {
            process = ExecutorProcess.Start(spec, _logger);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ExecutorStartException(spec.ExecutorId, $"cannot run {spec.FileName}: {ex.Message}", ex);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, shutdown);
        deadline.CancelAfter(timeout);
        ExecutorClient? client = null;
        try
        {
            await process.WaitUntilReadyAsync(deadline.Token);
            client = await ExecutorClient.ConnectAsync(
                spec.ExecutorId,
                spec.SocketPath,
                peer => process.Executor = ExecutorIdentity.Verify(peer, spec.ExpectedUid, process.Launched, spec.ThroughSudo),
                _peerOptions with { Name = $"executor {spec.ExecutorId}" },
                _options.RegisterHandlers is { } register ? peer => register(peer, spec.ExecutorId) : null,
                _logger,
                deadline.Token);
            var verified = client.Executor;
            var ping = await client.PingAsync(deadline.Token);
            if (ping.Pid != verified.Pid)
            {
                // The pid on the wire is the executor's say-so; the kernel's is the one we keep. One
                // that lies about it is not an executor we hand a task.
                throw new ExecutorIdentityException($"its ping names pid {ping.Pid}, but the kernel says the executor is pid {verified.Pid}");
            }

            ExecutorPoolLog.Ready(_logger, spec.ExecutorId, spec.UnixUser, verified.Pid, clock.Elapsed.TotalMilliseconds);
            return new PooledExecutor(spec, process, client, verified.Pid);
        }
        catch (Exception ex)
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            await process.DisposeAsync();
            SocketFiles.TryDelete(spec.SocketPath);
            if (ex is ExecutorIdentityException)
            {
                ExecutorPoolLog.NotTheExecutor(_logger, spec.ExecutorId, ex.Message);
                throw new ExecutorStartException(spec.ExecutorId, ex.Message, ex);
            }

            if (ex is OperationCanceledException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                var tail = process.StderrTail;
                throw new ExecutorStartException(spec.ExecutorId, $"not ready within {timeout.TotalMilliseconds:0} ms; the process was killed{(tail.Length > 0 ? $" (stderr: {tail})" : string.Empty)}", ex);
            }

            if (ex is ExecutorStartException or OperationCanceledException)
            {
                throw;
            }

            throw new ExecutorStartException(spec.ExecutorId, ex.Message, ex);
        }
    }
}

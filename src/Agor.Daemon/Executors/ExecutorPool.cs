using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Executors;

/// <summary>
/// Starts, hands out and stops executors. At most <c>max_executors</c> processes live at once
/// (starting, warm or busy); callers beyond that wait in FIFO order. Up to <c>warm_executors</c>
/// are started ahead of need for the default user; one left unused for <c>idle_timeout_ms</c> is
/// reaped (and replaced at the next acquisition, not at once: an unused daemon goes quiet). Every
/// executor serves one task and is then shut down.
/// The pool alone owns the slot count, the waiters, the warm list and every executor's state;
/// <see cref="ExecutorSpawner"/> starts and verifies a process, <see cref="PooledExecutor"/> stops one.
/// </summary>
internal sealed class ExecutorPool : IAsyncDisposable
{
    private readonly ExecutorPoolOptions _options;
    private readonly ExecutorLauncher _launcher;
    private readonly ExecutorSpawner _spawner;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PooledExecutor> _live = new(StringComparer.Ordinal);
    private readonly LinkedList<PooledExecutor> _idle = new();
    private readonly LinkedList<SlotWaiter> _waiters = new();
    private readonly BackgroundTasks _background = new();
    private readonly CancellationTokenSource _disposing = new();
    private int _freeSlots;
    private int _warmStarting;
    private bool _disposed;

    private ExecutorPool(ExecutorPoolOptions options, ExecutorLauncher launcher, ILogger logger)
    {
        _options = options;
        _launcher = launcher;
        _logger = logger;
        _spawner = new ExecutorSpawner(options, launcher, logger);
        _freeSlots = options.Settings.MaxExecutors;
    }

    /// <summary>Raised for every executor that starts, is leased, stops, is reaped or crashes. Must not block.</summary>
    public event Action<ExecutorEvent>? Changed;

    public ImpersonationMode Mode => _launcher.Mode;

    public string DefaultUser => _launcher.DefaultUser;

    /// <summary>Which users a session may name in <c>unix_user</c>.</summary>
    public UnixUserPolicy UnixUsers => _launcher.Users;

    /// <summary>Detects the impersonation mode once and starts the warm executors.</summary>
    public static async Task<ExecutorPool> CreateAsync(ExecutorPoolOptions options, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (mode, sudo) = await ImpersonationDetector.DetectAsync(options.Settings, options.ExecutorPath, logger, cancellationToken);
        var pool = new ExecutorPool(options, new ExecutorLauncher(options.Settings, options.ExecutorPath, mode, sudo), logger);
        pool.ReplenishWarm();
        return pool;
    }

    /// <summary>The executors alive now.</summary>
    public IReadOnlyList<ExecutorInfo> Snapshot()
    {
        lock (_lock)
        {
            return [.. _live.Values.Select(e => e.Snapshot())];
        }
    }

    /// <summary>
    /// Hands out a ready executor for <paramref name="unixUser"/> (default: the configured one),
    /// waiting in line while <c>max_executors</c> are alive. Throws <see cref="ExecutorStartException"/>
    /// when a new executor cannot be started or is not ready within <c>connection_timeout_ms</c>.
    /// </summary>
    public async Task<ExecutorLease> AcquireAsync(string? unixUser = null, CancellationToken cancellationToken = default)
    {
        var user = unixUser ?? _launcher.DefaultUser;
        SlotWaiter? waiter = null;
        PooledExecutor? evict = null;
        PooledExecutor? ready = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ready = TakeIdle(user);
            if (ready is null)
            {
                if (_freeSlots > 0 && _waiters.Count == 0)
                {
                    _freeSlots--;
                }
                else
                {
                    waiter = new SlotWaiter(user);
                    waiter.Node = _waiters.AddLast(waiter);

                    // A warm executor for someone else holds a slot that this caller needs.
                    evict = _idle.First?.Value;
                    if (evict is not null)
                    {
                        _idle.RemoveFirst();
                        evict.IdleTimer?.Cancel();
                    }
                }
            }
        }

        if (evict is not null)
        {
            _background.Track(FinishAsync(evict, "stopped", "made room for another user"));
        }

        if (waiter is not null)
        {
            await using var registration = cancellationToken.Register(() => CancelWaiter(waiter));
            ready = await waiter.Completion.Task;
        }

        ready ??= await SpawnForCallerAsync(user, cancellationToken);
        return Lease(ready);
    }

    /// <summary>Shuts a leased executor down and frees its place.</summary>
    internal Task ReturnAsync(PooledExecutor executor) => FinishAsync(executor, "stopped", "task finished");

    public async ValueTask DisposeAsync()
    {
        List<PooledExecutor> executors;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            executors = [.. _live.Values];
            foreach (var waiter in _waiters)
            {
                waiter.Completion.TrySetException(new ObjectDisposedException(nameof(ExecutorPool), "The executor pool is shutting down."));
            }

            _waiters.Clear();
            _idle.Clear();
        }

        await _disposing.CancelAsync();
        await Task.WhenAll(executors.Select(e => FinishAsync(e, "stopped", "the daemon is shutting down")));
        await _background.WhenAllAsync();
        _disposing.Dispose();
    }

    private async Task<PooledExecutor> SpawnForCallerAsync(string user, CancellationToken cancellationToken)
    {
        try
        {
            var executor = await SpawnAsync(user, cancellationToken);
            Raise("started", executor);
            return executor;
        }
        catch
        {
            FreeSlot();
            throw;
        }
    }

    /// <summary>Starts a verified executor for a slot already taken and makes it the pool's.</summary>
    private async Task<PooledExecutor> SpawnAsync(string user, CancellationToken cancellationToken)
    {
        var executor = await _spawner.SpawnAsync(user, _disposing.Token, cancellationToken);
        lock (_lock)
        {
            _live.Add(executor.Id, executor);
        }

        _background.Track(WatchAsync(executor));

        // "started" is raised by the caller once the executor is where others can find it.
        return executor;
    }

    /// <summary>Notices at once an executor that dies or drops its connection without being asked to.</summary>
    private async Task WatchAsync(PooledExecutor executor)
    {
        await Task.WhenAny(executor.Process.Exited, executor.Client.Completion);
        if (executor.State is ExecutorState.Stopping or ExecutorState.Stopped)
        {
            return;
        }

        var detail = executor.DeathDetail;
        ExecutorPoolLog.Crashed(_logger, executor.Id, detail);
        lock (_lock)
        {
            _idle.Remove(executor);
        }

        // Disposing the client fails its pending requests at once, before the process is reaped.
        await executor.Client.DisposeAsync();
        await FinishAsync(executor, "crashed", detail);
    }

    private async Task FinishAsync(PooledExecutor executor, string kind, string reason)
    {
        lock (_lock)
        {
            // Once only: the lease coming back and the watch may both get here.
            if (executor.State is ExecutorState.Stopping or ExecutorState.Stopped)
            {
                return;
            }

            executor.State = ExecutorState.Stopping;
        }

        // Whoever gets here first (the lease coming back, the watch) reports a death as a crash.
        if (kind != "crashed" && executor.HasDied)
        {
            (kind, reason) = ("crashed", executor.DeathDetail);
        }

        executor.IdleTimer?.Cancel();
        await executor.TerminateAsync(reason, TimeSpan.FromMilliseconds(_options.Settings.ShutdownGraceMs), _logger);
        lock (_lock)
        {
            _live.Remove(executor.Id);
            executor.State = ExecutorState.Stopped;
        }

        ExecutorPoolLog.Stopped(_logger, executor.Id, reason);
        Raise(kind, executor, reason);
        FreeSlot();
    }

    private ExecutorLease Lease(PooledExecutor executor)
    {
        lock (_lock)
        {
            // It died during the hand-off: the watch has already begun stopping it and will free its
            // place. Marking it Busy would let the lease's return free that place a second time.
            if (executor.State is ExecutorState.Stopping or ExecutorState.Stopped)
            {
                throw new ExecutorStartException(executor.Id, "the executor stopped before it could be handed out");
            }

            executor.State = ExecutorState.Busy;
        }

        Raise("leased", executor);
        ReplenishWarm();
        return new ExecutorLease(this, executor);
    }

    private PooledExecutor? TakeIdle(string user)
    {
        for (var node = _idle.First; node is not null; node = node.Next)
        {
            if (node.Value.Spec.UnixUser == user && !node.Value.Process.HasExited)
            {
                _idle.Remove(node);
                node.Value.IdleTimer?.Cancel();
                return node.Value;
            }
        }

        return null;
    }

    /// <summary>Gives a freed place to the first caller in line, or keeps it; then tops up the warm executors.</summary>
    private void FreeSlot(bool replenish = true)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            while (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                first.Value.Node = null;
                if (first.Value.Completion.TrySetResult(null))
                {
                    return;
                }
            }

            _freeSlots++;
        }

        if (replenish)
        {
            ReplenishWarm();
        }
    }

    private void CancelWaiter(SlotWaiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node is null)
            {
                return;
            }

            _waiters.Remove(waiter.Node);
            waiter.Node = null;
        }

        waiter.Completion.TrySetCanceled();
    }

    private void ReplenishWarm()
    {
        lock (_lock)
        {
            while (!_disposed && _waiters.Count == 0 && _freeSlots > 0
                && _idle.Count + _warmStarting < _options.Settings.WarmExecutors)
            {
                _freeSlots--;
                _warmStarting++;
                _background.Track(SpawnWarmAsync());
            }
        }
    }

    private async Task SpawnWarmAsync()
    {
        PooledExecutor executor;
        try
        {
            executor = await SpawnAsync(_launcher.DefaultUser, _disposing.Token);
        }
        catch (Exception ex)
        {
            if (ex is not OperationCanceledException)
            {
                ExecutorPoolLog.WarmSpawnFailed(_logger, ex);
            }

            lock (_lock)
            {
                _warmStarting--;
            }

            // No retry loop: the next acquisition tries again.
            FreeSlot(replenish: false);
            return;
        }

        SlotWaiter? taker = null;
        var placed = false;
        lock (_lock)
        {
            _warmStarting--;
            if (_disposed)
            {
                taker = null;
            }
            else if (_waiters.First?.Value is { } first && first.User == executor.Spec.UnixUser)
            {
                _waiters.RemoveFirst();
                first.Node = null;
                taker = first;
            }
            else if (_waiters.Count == 0)
            {
                _idle.AddLast(executor);
                executor.IdleTimer = new CancellationTokenSource();
                _background.Track(ReapWhenIdleAsync(executor, executor.IdleTimer.Token));
                placed = true;
            }
        }

        Raise("started", executor);
        if (placed)
        {
            return;
        }

        if (taker is not null && taker.Completion.TrySetResult(executor))
        {
            return;
        }

        // Disposing, or the first in line needs another user: this slot serves them better.
        await FinishAsync(executor, "stopped", "not needed");
    }

    private async Task ReapWhenIdleAsync(PooledExecutor executor, CancellationToken leased)
    {
        try
        {
            await Task.Delay(_options.Settings.IdleTimeoutMs, leased);
        }
        catch (OperationCanceledException) when (leased.IsCancellationRequested)
        {
            return;
        }

        lock (_lock)
        {
            if (!_idle.Remove(executor))
            {
                return;
            }
        }

        await FinishAsync(executor, "reaped", $"idle for {_options.Settings.IdleTimeoutMs} ms");
    }

    private void Raise(string kind, PooledExecutor executor, string? detail = null)
    {
        try
        {
            Changed?.Invoke(new ExecutorEvent(kind, executor.Snapshot(), detail));
        }
        catch (Exception ex)
        {
            ExecutorPoolLog.ObserverFailed(_logger, ex);
        }
    }
}

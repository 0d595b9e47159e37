namespace Agor.Daemon.Executors;

/// <summary>
/// One executor, held for one task. Disposing the lease shuts the executor down: an executor never
/// serves a second task, so nothing of one task can reach the next.
/// </summary>
internal sealed class ExecutorLease : IAsyncDisposable
{
    private readonly ExecutorPool _pool;
    private int _disposed;

    internal ExecutorLease(ExecutorPool pool, PooledExecutor executor)
    {
        _pool = pool;
        Executor = executor;
    }

    public ExecutorClient Client => Executor.Client;

    public string ExecutorId => Executor.Id;

    /// <summary>The executor's own pid (not sudo's).</summary>
    public int Pid => Executor.ExecutorPid;

    public string UnixUser => Executor.Spec.UnixUser;

    /// <summary>Completes when the executor's process has exited.</summary>
    public Task Exited => Executor.Process.Exited;

    internal PooledExecutor Executor { get; }

    /// <summary>Records the task the executor runs, for <c>GET /executors</c>.</summary>
    public void AssignTask(string taskId) => Executor.TaskId = taskId;

    /// <summary>
    /// Kills the executor and everything it started now (no <c>shutdown</c> first: it did not keep its
    /// word), and waits up to <paramref name="bound"/> for it to be reaped. True when it was.
    /// </summary>
    public async Task<bool> KillAsync(TimeSpan bound)
    {
        Executor.Process.Kill();
        return await Task.WhenAny(Executor.Process.Exited, Task.Delay(bound)) == Executor.Process.Exited;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _pool.ReturnAsync(Executor);
        }
    }
}

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

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _pool.ReturnAsync(Executor);
        }
    }
}

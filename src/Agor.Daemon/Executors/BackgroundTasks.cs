namespace Agor.Daemon.Executors;

/// <summary>
/// The pool's fire-and-forget work (watches, warm spawns, idle reapers, evictions), kept so that
/// disposal can await all of it. Safe to call from any thread, also under the pool's lock: it
/// takes only its own.
/// </summary>
internal sealed class BackgroundTasks
{
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _running = [];

    public void Track(Task task)
    {
        lock (_lock)
        {
            _running.Add(task);
        }

        _ = task.ContinueWith(
            t =>
            {
                lock (_lock)
                {
                    _running.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Completes when everything tracked so far has ended.</summary>
    public Task WhenAllAsync()
    {
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }

        return Task.WhenAll(running);
    }
}

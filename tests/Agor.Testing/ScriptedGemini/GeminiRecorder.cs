namespace Agor.Testing.ScriptedGemini;

/// <summary>The requests received, and waiters for one that is still to come.</summary>
internal sealed class GeminiRecorder
{
    private readonly Lock _lock = new();
    private readonly List<GeminiRequest> _requests = [];
    private readonly List<(Func<GeminiRequest, bool> Match, TaskCompletionSource<GeminiRequest> Done)> _waiters = [];
    private int _turns;
    private bool _closed;

    public int TakeTurnIndex() => Interlocked.Increment(ref _turns) - 1;

    public IReadOnlyList<GeminiRequest> Snapshot()
    {
        lock (_lock)
        {
            return [.. _requests];
        }
    }

    public void Add(GeminiRequest request)
    {
        List<TaskCompletionSource<GeminiRequest>> done = [];
        lock (_lock)
        {
            // Numbered here, under the lock: concurrent requests get distinct, gapless indexes.
            request = request with { Index = _requests.Count };
            _requests.Add(request);
            foreach (var waiter in _waiters.Where(w => w.Match(request)).ToList())
            {
                _waiters.Remove(waiter);
                done.Add(waiter.Done);
            }
        }

        foreach (var d in done)
        {
            d.TrySetResult(request);
        }
    }

    public async Task<GeminiRequest> WaitForAsync(Func<GeminiRequest, bool> match, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<GeminiRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_requests.FirstOrDefault(match) is { } seen)
            {
                return seen;
            }

            _waiters.Add((match, done));
        }

        using var cancel = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
        return await done.Task;
    }

    public void Close()
    {
        List<TaskCompletionSource<GeminiRequest>> waiting;
        lock (_lock)
        {
            _closed = true;
            waiting = [.. _waiters.Select(w => w.Done)];
            _waiters.Clear();
        }

        foreach (var w in waiting)
        {
            w.TrySetException(new ObjectDisposedException(nameof(ScriptedGeminiServer)));
        }
    }
}

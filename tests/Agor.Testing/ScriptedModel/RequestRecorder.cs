using System.Text.Json;

namespace Agor.Testing.ScriptedModel;

/// <summary>The server's request log: appends on arrival, hands out snapshots and wakes waiters. Thread-safe.</summary>
internal sealed class RequestRecorder
{
    private readonly Lock _lock = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<RequestWaiter> _waiters = [];
    private int _conversationCount;
    private bool _closed;

    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (_lock)
        {
            return [.. _requests];
        }
    }

    public RecordedRequest Record(
        RecordedRequestKind kind,
        string method,
        string path,
        string queryString,
        IReadOnlyDictionary<string, string> headers,
        string bodyText,
        JsonElement? body)
    {
        lock (_lock)
        {
            int? turnIndex = kind == RecordedRequestKind.Conversation ? _conversationCount++ : null;
            var request = new RecordedRequest(_requests.Count, kind, turnIndex, method, path, queryString, headers, bodyText, body);
            _requests.Add(request);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (Matches(_waiters[i], request))
                {
                    _waiters.RemoveAt(i);
                }
            }

            return request;
        }
    }

    /// <summary>Completes with the first request, already recorded or still to come, that matches.</summary>
    public async Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> predicate, CancellationToken cancellationToken)
    {
        RequestWaiter waiter;
        lock (_lock)
        {
            foreach (var request in _requests)
            {
                if (predicate(request))
                {
                    return request;
                }
            }

            ObjectDisposedException.ThrowIf(_closed, this);
            waiter = new RequestWaiter(predicate);
            _waiters.Add(waiter);
        }

        using var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                _waiters.Remove(waiter);
            }

            waiter.Cancel(cancellationToken);
        });
        return await waiter.Task;
    }

    /// <summary>Fails every pending wait: no request will come any more.</summary>
    public void Close()
    {
        List<RequestWaiter> waiters;
        lock (_lock)
        {
            _closed = true;
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.Fail(new ObjectDisposedException(nameof(ScriptedModelServer), "The scripted model server stopped before a matching request arrived."));
        }
    }

    private static bool Matches(RequestWaiter waiter, RecordedRequest request)
    {
        bool matches;
        try
        {
            matches = waiter.Predicate(request);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A throwing predicate is the waiting test's bug: report it to that test, not to the HTTP client.
            waiter.Fail(ex);
            return true;
        }

        return matches && waiter.TryComplete(request);
    }
}

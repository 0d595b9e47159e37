using System.Text;
using System.Text.Json;
using Agor.Daemon.Storage;

namespace Agor.Daemon.Events;

/// <summary>
/// One client of the event stream. While it replays (it came with <c>Last-Event-ID</c>) it reads
/// the store page by page, at the pace it reads, and live events that arrive meanwhile wait in a
/// bounded buffer; once a page comes back empty it has caught up, and the buffered events with a
/// newer id follow, so the stream has no gap and no duplicate. Live, it has a queue bounded in
/// events and in bytes; a client past either bound is dropped (and reconnects with its last id).
/// Read by one reader at a time; offered to by the hub's sequencer, in id order.
/// </summary>
internal sealed class EventSubscription : IDisposable
{
    // A read takes at most this much from the queue, so that what waits for a slow socket stays counted.
    private const int BatchBytes = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly Queue<DaemonEvent> _queue = new();
    private readonly EventHub _hub;
    private readonly IEventStore _store;
    private readonly EventHubOptions _options;
    private List<DaemonEvent>? _pending;
    private long _pendingBytes;
    private long _queuedBytes;
    private long _cursor;
    private bool _dropped;
    private TaskCompletionSource? _waiter;

    internal EventSubscription(EventHub hub, IEventStore store, EventHubOptions options, string? sessionId, long? lastEventId, string name)
    {
        _hub = hub;
        _store = store;
        _options = options;
        SessionId = sessionId;
        Name = name;
        if (lastEventId is { } after)
        {
            _cursor = after;
            _pending = [];
        }
    }

    /// <summary>The one session this client follows; null for all.</summary>
    public string? SessionId { get; }

    public string Name { get; }

    /// <summary>
    /// The next events, oldest first: a page of the backlog while replaying, else what is queued.
    /// Never empty; null once the client was dropped and has read what was queued before.
    /// Cancelling loses nothing: the next read returns what this one would have.
    /// </summary>
    public async ValueTask<IReadOnlyList<DaemonEvent>?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task? wait = null;
            lock (_lock)
            {
                if (_queue.Count > 0)
                {
                    return TakeBatch();
                }

                if (_dropped)
                {
                    return null;
                }

                if (_pending is null)
                {
                    _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _waiter.Task;
                }
            }

            if (wait is not null)
            {
                await wait.WaitAsync(cancellationToken);
                continue;
            }

            if (await ReplayPageAsync(cancellationToken) is { Count: > 0 } page)
            {
                return page;
            }
        }
    }

    /// <summary>What is queued now, without waiting (the last flush when the daemon stops); empty when nothing is.</summary>
    public IReadOnlyList<DaemonEvent> TakeQueued()
    {
        lock (_lock)
        {
            return _queue.Count > 0 ? TakeBatch() : [];
        }
    }

    /// <summary>Ends the stream (the client left).</summary>
    public void Dispose()
    {
        _hub.Remove(this);
        Drop();
    }

    /// <summary>Queues a live event; false when it does not fit (the hub then drops the client).</summary>
    internal bool Offer(DaemonEvent daemonEvent)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (_dropped)
            {
                return true;
            }

            if (_pending is not null)
            {
                if (!Fits(_pending.Count, _pendingBytes, daemonEvent))
                {
                    return false;
                }

                _pending.Add(daemonEvent);
                _pendingBytes += daemonEvent.Size;
                return true;
            }

            if (!Fits(_queue.Count, _queuedBytes, daemonEvent))
            {
                return false;
            }

            _queue.Enqueue(daemonEvent);
            _queuedBytes += daemonEvent.Size;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
        return true;
    }

    /// <summary>No more events are taken; the reader gets what is queued, then the end.</summary>
    internal void Drop()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _dropped = true;
            _pending = null;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    private bool Fits(int count, long bytes, DaemonEvent daemonEvent) =>
        count == 0 || (count < _options.ClientQueueEvents && bytes + daemonEvent.Size <= _options.ClientQueueBytes);

    private List<DaemonEvent> TakeBatch()
    {
        var batch = new List<DaemonEvent>();
        var bytes = 0L;
        while (_queue.Count > 0 && (batch.Count == 0 || bytes + _queue.Peek().Size <= BatchBytes))
        {
            var next = _queue.Dequeue();
            bytes += next.Size;
            batch.Add(next);
        }

        _queuedBytes -= bytes;
        return batch;
    }

    private async Task<IReadOnlyList<DaemonEvent>> ReplayPageAsync(CancellationToken cancellationToken)
    {
        var stored = await _store.ListAfterAsync(_cursor, SessionId, _options.ReplayPageEvents, _options.ReplayPageBytes, cancellationToken);
        if (stored.Count > 0)
        {
            _cursor = stored[^1].Id;
            return [.. stored.Select(e => new DaemonEvent(e.Id, e.Type, e.SessionId, JsonDocument.Parse(e.Data).RootElement.Clone(), DaemonEvent.SizeOf(e.Type, Encoding.UTF8.GetByteCount(e.Data))))];
        }

        // Caught up: every event stored before this read was in a page, and every one stored after
        // it was offered live (the hub broadcasts only after storing), so it waits in _pending.
        lock (_lock)
        {
            if (_pending is not null)
            {
                foreach (var daemonEvent in _pending)
                {
                    if (daemonEvent.Id == 0 || daemonEvent.Id > _cursor)
                    {
                        _queue.Enqueue(daemonEvent);
                        _queuedBytes += daemonEvent.Size;
                    }
                }

                _pending = null;
                _pendingBytes = 0;
            }
        }

        return [];
    }
}

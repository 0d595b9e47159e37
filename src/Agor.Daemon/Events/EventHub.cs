using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Agor.Daemon.Domain;
using Agor.Daemon.Storage;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Events;

/// <summary>
/// Fans live events out to SSE clients. Every event but the streaming deltas is stored first, so a
/// client that reconnects with <c>Last-Event-ID</c> misses nothing. Each client has a bounded
/// queue; a client that falls that far behind is dropped (with a log line) rather than slowing the
/// daemon or anyone else.
/// </summary>
internal sealed class EventHub(IEventStore store, TimeProvider clock, ILogger logger)
{
    /// <summary>How many events a client may lag behind before it is dropped.</summary>
    public const int ClientQueueCapacity = 4096;

    private readonly Lock _lock = new();
    private readonly List<Subscriber> _subscribers = [];

    /// <summary>Stores (unless transient) and broadcasts an event.</summary>
    public async Task PublishAsync<T>(string type, string? sessionId, T payload, JsonTypeInfo<T> typeInfo, bool transient = false, CancellationToken cancellationToken = default)
    {
        var data = JsonSerializer.SerializeToElement(payload, typeInfo);
        long id = 0;
        if (!transient)
        {
            var stored = await store.AppendAsync(
                new StoredEvent { Type = type, SessionId = sessionId, Data = data.GetRawText(), Time = clock.GetUtcNow() },
                cancellationToken);
            id = stored.Id;
        }

        Broadcast(new DaemonEvent(id, type, sessionId, data));
    }

    /// <summary>
    /// Subscribes a client: first the stored events after <paramref name="lastEventId"/> (when
    /// given), then live ones, of one session or all. The channel completes when the client is dropped.
    /// </summary>
    public async Task<ChannelReader<DaemonEvent>> SubscribeAsync(string? sessionId, long? lastEventId, string clientName, CancellationToken cancellationToken)
    {
        var subscriber = new Subscriber(sessionId, clientName, Channel.CreateBounded<DaemonEvent>(new BoundedChannelOptions(ClientQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        }));

        // Register before reading the backlog, so nothing published meanwhile is lost; duplicates are skipped by id.
        lock (_lock)
        {
            _subscribers.Add(subscriber);
        }

        cancellationToken.Register(() => Remove(subscriber));
        if (lastEventId is { } after)
        {
            var backlog = await store.ListAfterAsync(after, sessionId, ClientQueueCapacity, cancellationToken);
            subscriber.Replay(backlog.Select(e => new DaemonEvent(e.Id, e.Type, e.SessionId, JsonDocument.Parse(e.Data).RootElement.Clone())));
        }
        else
        {
            subscriber.Replay([]);
        }

        return subscriber.Channel.Reader;
    }

    public int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    private void Broadcast(DaemonEvent daemonEvent)
    {
        Subscriber[] subscribers;
        lock (_lock)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            if (subscriber.SessionId is not null && subscriber.SessionId != daemonEvent.SessionId)
            {
                continue;
            }

            if (!subscriber.Offer(daemonEvent))
            {
                EventHubLog.SlowClientDropped(logger, subscriber.Name, ClientQueueCapacity);
                Remove(subscriber);
            }
        }
    }

    private void Remove(Subscriber subscriber)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscriber);
        }

        subscriber.Channel.Writer.TryComplete();
    }

    private sealed class Subscriber(string? sessionId, string name, Channel<DaemonEvent> channel)
    {
        private readonly Lock _lock = new();
        private List<DaemonEvent>? _pendingLive = [];
        private long _lastReplayedId;

        public string? SessionId { get; } = sessionId;

        public string Name { get; } = name;

        public Channel<DaemonEvent> Channel { get; } = channel;

        /// <summary>Queues a live event; false when the client's queue is full.</summary>
        public bool Offer(DaemonEvent daemonEvent)
        {
            lock (_lock)
            {
                if (_pendingLive is not null)
                {
                    // The backlog is still being read; live events wait behind it.
                    _pendingLive.Add(daemonEvent);
                    return _pendingLive.Count <= ClientQueueCapacity;
                }
            }

            return Channel.Writer.TryWrite(daemonEvent);
        }

        /// <summary>Writes the backlog, then the live events that arrived meanwhile (skipping those the backlog had).</summary>
        public void Replay(IEnumerable<DaemonEvent> backlog)
        {
            foreach (var daemonEvent in backlog)
            {
                Channel.Writer.TryWrite(daemonEvent);
                _lastReplayedId = daemonEvent.Id;
            }

            lock (_lock)
            {
                foreach (var daemonEvent in _pendingLive!)
                {
                    if (daemonEvent.Id == 0 || daemonEvent.Id > _lastReplayedId)
                    {
                        Channel.Writer.TryWrite(daemonEvent);
                    }
                }

                _pendingLive = null;
            }
        }
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Agor.Daemon.Domain;
using Agor.Daemon.Storage;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Events;

/// <summary>
/// Fans live events out to SSE clients. Every event but the streaming deltas is stored first, so a
/// client that reconnects with <c>Last-Event-ID</c> misses nothing. One sequencer stores and
/// broadcasts one event at a time, so ids are assigned, and reach every client, in increasing
/// order. Each client's queue is bounded in events and in bytes; a client that falls that far
/// behind is dropped (with a log line) rather than slowing the daemon or anyone else.
/// </summary>
internal sealed class EventHub(IEventStore store, EventHubOptions options, TimeProvider clock, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _sequencer = new(1, 1);
    private readonly Lock _lock = new();
    private EventSubscription[] _subscribers = [];

    public EventHubOptions Options { get; } = options;

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Stores (unless transient) and broadcasts an event; concurrent calls are put in one order.</summary>
    public async Task PublishAsync<T>(string type, string? sessionId, T payload, JsonTypeInfo<T> typeInfo, bool transient = false, CancellationToken cancellationToken = default)
    {
        var data = JsonSerializer.SerializeToElement(payload, typeInfo);
        var text = data.GetRawText();
        var size = DaemonEvent.SizeOf(type, Encoding.UTF8.GetByteCount(text));
        await _sequencer.WaitAsync(cancellationToken);
        try
        {
            long id = 0;
            if (!transient)
            {
                // Not cancellable once begun: an event that is stored is also broadcast.
                var stored = await store.AppendAsync(
                    new StoredEvent { Type = type, SessionId = sessionId, Data = text, Time = clock.GetUtcNow() },
                    CancellationToken.None);
                id = stored.Id;
            }

            Broadcast(new DaemonEvent(id, type, sessionId, data, size));
        }
        finally
        {
            _sequencer.Release();
        }
    }

    /// <summary>
    /// Subscribes a client: first the stored events after <paramref name="lastEventId"/> (when
    /// given), then live ones, of one session or all. Dispose the subscription when the client leaves.
    /// </summary>
    public EventSubscription Subscribe(string? sessionId, long? lastEventId, string clientName)
    {
        var subscription = new EventSubscription(this, store, Options, sessionId, lastEventId, clientName);

        // Registered before its first page is read, so nothing stored meanwhile is lost; the replay skips duplicates by id.
        lock (_lock)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    public void Dispose() => _sequencer.Dispose();

    internal void Remove(EventSubscription subscription)
    {
        lock (_lock)
        {
            if (Array.IndexOf(_subscribers, subscription) >= 0)
            {
                _subscribers = [.. _subscribers.Where(s => s != subscription)];
            }
        }
    }

    private void Broadcast(DaemonEvent daemonEvent)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            if (subscriber.SessionId is not null && subscriber.SessionId != daemonEvent.SessionId)
            {
                continue;
            }

            if (!subscriber.Offer(daemonEvent))
            {
                EventHubLog.SlowClientDropped(logger, subscriber.Name, Options.ClientQueueEvents, Options.ClientQueueBytes);
                Remove(subscriber);
                subscriber.Drop();
            }
        }
    }
}

namespace Agor.Daemon.Events;

/// <summary>The bounds of the event fan-out (config: <c>daemon.sse_client_queue_events</c>, <c>daemon.sse_client_queue_bytes</c>).</summary>
internal sealed record EventHubOptions
{
    public const int DefaultClientQueueEvents = 4096;

    public const long DefaultClientQueueBytes = 8L * 1024 * 1024;

    /// <summary>How many events a client may lag behind before it is dropped.</summary>
    public int ClientQueueEvents { get; init; } = DefaultClientQueueEvents;

    /// <summary>How many bytes of events a client may lag behind before it is dropped (one event always fits an empty queue).</summary>
    public long ClientQueueBytes { get; init; } = DefaultClientQueueBytes;

    /// <summary>Events read from the store per page of a replay.</summary>
    public int ReplayPageEvents { get; init; } = 256;

    /// <summary>Bytes of event data read per page of a replay: a page never holds more than a client's queue could.</summary>
    public long ReplayPageBytes => Math.Max(1, ClientQueueBytes / 4);
}

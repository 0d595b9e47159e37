namespace Agor.Daemon.Domain;

/// <summary>A live event as kept for clients that reconnect with <c>Last-Event-ID</c>.</summary>
internal sealed record StoredEvent
{
    /// <summary>Increasing; the SSE event id.</summary>
    public long Id { get; init; }

    /// <summary><c>task.updated</c>, <c>message.created</c>, <c>permission.requested</c>...</summary>
    public required string Type { get; init; }

    public string? SessionId { get; init; }

    /// <summary>The event's payload as JSON text.</summary>
    public required string Data { get; init; }

    public required DateTimeOffset Time { get; init; }
}

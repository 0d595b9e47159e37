namespace Agor.Daemon.Domain;

/// <summary>
/// A complete agent event as stored. <see cref="Sequence"/> orders the messages of a session
/// (assigned by the daemon, from 1); <see cref="TaskSequence"/> is the executor's number within its task.
/// </summary>
internal sealed record StoredMessage
{
    public long Sequence { get; init; }

    public required string SessionId { get; init; }

    public required string TaskId { get; init; }

    public required long TaskSequence { get; init; }

    public required string EventType { get; init; }

    /// <summary>The event exactly as the agent gave it, as JSON text.</summary>
    public required string EventData { get; init; }

    public required DateTimeOffset Timestamp { get; init; }
}

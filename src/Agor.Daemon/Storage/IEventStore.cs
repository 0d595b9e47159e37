using Agor.Daemon.Domain;

namespace Agor.Daemon.Storage;

internal interface IEventStore
{
    /// <summary>Stores an event and returns it with its id (increasing across all sessions).</summary>
    Task<StoredEvent> AppendAsync(StoredEvent storedEvent, CancellationToken cancellationToken = default);

    /// <summary>The id of the newest stored event; 0 when there is none.</summary>
    Task<long> LatestIdAsync(CancellationToken cancellationToken = default);

    /// <summary>Events after <paramref name="afterId"/>, of one session or all, oldest first.</summary>
    Task<IReadOnlyList<StoredEvent>> ListAfterAsync(long afterId, string? sessionId, int limit, CancellationToken cancellationToken = default);
}

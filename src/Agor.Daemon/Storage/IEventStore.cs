using Agor.Daemon.Domain;

namespace Agor.Daemon.Storage;

internal interface IEventStore
{
    /// <summary>Stores an event and returns it with its id (increasing across all sessions).</summary>
    Task<StoredEvent> AppendAsync(StoredEvent storedEvent, CancellationToken cancellationToken = default);

    /// <summary>The id of the newest stored event; 0 when there is none.</summary>
    Task<long> LatestIdAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Events after <paramref name="afterId"/>, of one session or all, oldest first: at most
    /// <paramref name="limit"/>, and no more than <paramref name="maxBytes"/> of data (but always
    /// the first, however large), so that a page is bounded in memory.
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> ListAfterAsync(long afterId, string? sessionId, int limit, long maxBytes = long.MaxValue, CancellationToken cancellationToken = default);
}

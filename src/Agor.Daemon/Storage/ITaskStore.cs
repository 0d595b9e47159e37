using Agor.Daemon.Domain;

namespace Agor.Daemon.Storage;

internal interface ITaskStore
{
    Task CreateAsync(AgorTask task, CancellationToken cancellationToken = default);

    Task<AgorTask?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>A session's tasks in the order they were created.</summary>
    Task<IReadOnlyList<AgorTask>> ListBySessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> of a session's tasks in the order they were created, after <paramref name="after"/>.</summary>
    Task<Page<AgorTask>> ListBySessionPageAsync(string sessionId, int limit, PageKey? after, CancellationToken cancellationToken = default);

    /// <summary>Tasks in any of <paramref name="statuses"/>, oldest first.</summary>
    Task<IReadOnlyList<AgorTask>> ListByStatusAsync(IReadOnlyCollection<string> statuses, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the stored task with <paramref name="task"/> (same id) unless the stored one has
    /// finished: a final status is never overwritten. False when there is no such unfinished task.
    /// </summary>
    Task<bool> UpdateAsync(AgorTask task, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the stored task only while its status is one of <paramref name="fromStatuses"/>, in
    /// one statement (compare and set). False when it was not: someone else moved it first.
    /// </summary>
    Task<bool> TryTransitionAsync(AgorTask task, IReadOnlyCollection<string> fromStatuses, CancellationToken cancellationToken = default);
}

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

    /// <summary>Replaces the stored task with <paramref name="task"/> (same id); false when there is none.</summary>
    Task<bool> UpdateAsync(AgorTask task, CancellationToken cancellationToken = default);
}

using Agor.Daemon.Domain;

namespace Agor.Daemon.Storage;

internal interface ISessionStore
{
    Task CreateAsync(Session session, CancellationToken cancellationToken = default);

    Task<Session?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>All sessions, newest first.</summary>
    Task<IReadOnlyList<Session>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> sessions, newest first, after <paramref name="after"/> (null: from the newest).</summary>
    Task<Page<Session>> ListPageAsync(int limit, PageKey? after, CancellationToken cancellationToken = default);

    /// <summary>Records the agent's session id for the next task to resume.</summary>
    Task SetAgentSessionIdAsync(string id, string agentSessionId, DateTimeOffset updatedAt, CancellationToken cancellationToken = default);

    /// <summary>Gives the session a new title (null: none). False when there is no such session.</summary>
    Task<bool> SetTitleAsync(string id, string? title, DateTimeOffset updatedAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the session with its tasks, messages, permission requests, tokens and events, in one
    /// transaction (the audit log keeps its entries). False when there is no such session.
    /// </summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);
}

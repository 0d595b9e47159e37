using Agor.Daemon.Domain;

namespace Agor.Daemon.Storage;

internal interface IPermissionStore
{
    Task CreateAsync(PermissionRequest request, CancellationToken cancellationToken = default);

    Task<PermissionRequest?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Requests in <paramref name="status"/> (all when null), oldest first.</summary>
    Task<IReadOnlyList<PermissionRequest>> ListAsync(string? status, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> requests in <paramref name="status"/> (all when null), oldest first, after <paramref name="after"/>.</summary>
    Task<Page<PermissionRequest>> ListPageAsync(string? status, int limit, PageKey? after, CancellationToken cancellationToken = default);

    /// <summary>Decides a pending request; false when it is not pending (any more).</summary>
    Task<bool> DecideAsync(string id, string status, string? reason, DateTimeOffset decidedAt, CancellationToken cancellationToken = default);
}

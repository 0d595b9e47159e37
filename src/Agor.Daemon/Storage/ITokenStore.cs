using Agor.Daemon.Domain;

namespace Agor.Daemon.Storage;

internal interface ITokenStore
{
    Task CreateAsync(SessionToken token, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts one use of the token with <paramref name="hash"/> and returns it as it is after that
    /// use (null when unknown). Atomic: two concurrent uses are both counted.
    /// </summary>
    Task<SessionToken?> UseAsync(string hash, CancellationToken cancellationToken = default);

    Task RevokeAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>Revokes every token of a task.</summary>
    Task RevokeForTaskAsync(string taskId, CancellationToken cancellationToken = default);
}

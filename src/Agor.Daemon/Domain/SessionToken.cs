namespace Agor.Daemon.Domain;

/// <summary>
/// What the daemon keeps of a session token: never the token, only its SHA-256 hash, and what it
/// is bound to (the session, the task and the executor connection it was handed to).
/// </summary>
internal sealed record SessionToken
{
    public required string Hash { get; init; }

    public required string SessionId { get; init; }

    public required string TaskId { get; init; }

    public required string ExecutorId { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required int MaxUses { get; init; }

    public int Uses { get; init; }

    public bool Revoked { get; init; }
}

using Agor.Daemon.Domain;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>Session token hashes in the <c>session_tokens</c> table.</summary>
internal sealed class SqliteTokenStore(SqliteDatabase database) : ITokenStore
{
    private const string Columns = "hash, session_id, task_id, executor_id, expires_at, max_uses, uses, revoked";

    public Task CreateAsync(SessionToken token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        return database.ExecuteAsync(
            $"""
            INSERT INTO session_tokens ({Columns})
            VALUES ($hash, $session_id, $task_id, $executor_id, $expires_at, $max_uses, $uses, $revoked)
            """,
            p =>
            {
                p.Set("$hash", token.Hash);
                p.Set("$session_id", token.SessionId);
                p.Set("$task_id", token.TaskId);
                p.Set("$executor_id", token.ExecutorId);
                p.Set("$expires_at", token.ExpiresAt);
                p.Set("$max_uses", token.MaxUses);
                p.Set("$uses", token.Uses);
                p.Set("$revoked", token.Revoked);
            },
            cancellationToken);
    }

    public Task<SessionToken?> UseAsync(string hash, CancellationToken cancellationToken = default) =>
        database.ExecuteReturningAsync(
            $"UPDATE session_tokens SET uses = uses + 1 WHERE hash = $hash RETURNING {Columns}",
            p => p.Set("$hash", hash),
            Read,
            cancellationToken);

    public Task RevokeAsync(string hash, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
            "UPDATE session_tokens SET revoked = $revoked WHERE hash = $hash",
            p =>
            {
                p.Set("$hash", hash);
                p.Set("$revoked", true);
            },
            cancellationToken);

    public Task RevokeForTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
            "UPDATE session_tokens SET revoked = $revoked WHERE task_id = $task_id",
            p =>
            {
                p.Set("$task_id", taskId);
                p.Set("$revoked", true);
            },
            cancellationToken);

    private static SessionToken Read(SqliteDataReader row) => new()
    {
        Hash = row.Text("hash"),
        SessionId = row.Text("session_id"),
        TaskId = row.Text("task_id"),
        ExecutorId = row.Text("executor_id"),
        ExpiresAt = row.Time("expires_at"),
        MaxUses = checked((int)row.Int64("max_uses")),
        Uses = checked((int)row.Int64("uses")),
        Revoked = row.Boolean("revoked"),
    };
}

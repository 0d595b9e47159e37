using Agor.Daemon.Domain;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>Sessions in the <c>sessions</c> table.</summary>
internal sealed class SqliteSessionStore(SqliteDatabase database) : ISessionStore
{
    // What refers to a session, in an order that never leaves a row pointing at a deleted one.
    private static readonly string[] SessionRows = ["events", "session_tokens", "permission_requests", "messages", "tasks"];

    private const string Columns = "id, cwd, agent, title, permission_mode, model, unix_user, agent_session_id, created_at, updated_at";

    public Task CreateAsync(Session session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return database.ExecuteAsync(
            $"""
            INSERT INTO sessions ({Columns})
            VALUES ($id, $cwd, $agent, $title, $permission_mode, $model, $unix_user, $agent_session_id, $created_at, $updated_at)
            """,
            p =>
            {
                p.Set("$id", session.Id);
                p.Set("$cwd", session.Cwd);
                p.Set("$agent", session.Agent);
                p.Set("$title", session.Title);
                p.Set("$permission_mode", session.PermissionMode);
                p.Set("$model", session.Model);
                p.Set("$unix_user", session.UnixUser);
                p.Set("$agent_session_id", session.AgentSessionId);
                p.Set("$created_at", session.CreatedAt);
                p.Set("$updated_at", session.UpdatedAt);
            },
            cancellationToken);
    }

    public Task<Session?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM sessions WHERE id = $id", p => p.Set("$id", id), Read, cancellationToken);

    public Task<IReadOnlyList<Session>> ListAsync(CancellationToken cancellationToken = default) =>
        database.QueryAsync($"SELECT {Columns} FROM sessions ORDER BY created_at DESC, row_id DESC", _ => { }, Read, cancellationToken);

    public async Task<Page<Session>> ListPageAsync(int limit, PageKey? after, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var rows = await database.QueryAsync(
            $"""
            SELECT {Columns}, row_id FROM sessions
            WHERE $row IS NULL OR created_at < $time OR (created_at = $time AND row_id < $row)
            ORDER BY created_at DESC, row_id DESC LIMIT $limit
            """,
            p =>
            {
                p.Set("$row", after?.RowId);
                p.Set("$time", after?.Time);
                p.Set("$limit", limit + 1);
            },
            row => (Read(row), new PageKey(row.Int64("row_id"), row.Time("created_at"))),
            cancellationToken);
        return Page<Session>.From(rows, limit);
    }

    public Task SetAgentSessionIdAsync(string id, string agentSessionId, DateTimeOffset updatedAt, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
            "UPDATE sessions SET agent_session_id = $agent_session_id, updated_at = $updated_at WHERE id = $id",
            p =>
            {
                p.Set("$id", id);
                p.Set("$agent_session_id", agentSessionId);
                p.Set("$updated_at", updatedAt);
            },
            cancellationToken);

    public async Task<bool> SetTitleAsync(string id, string? title, DateTimeOffset updatedAt, CancellationToken cancellationToken = default) =>
        await database.ExecuteAsync(
            "UPDATE sessions SET title = $title, updated_at = $updated_at WHERE id = $id",
            p =>
            {
                p.Set("$id", id);
                p.Set("$title", title);
                p.Set("$updated_at", updatedAt);
            },
            cancellationToken) > 0;

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        database.WriteAsync(
            async (connection, ct) =>
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
                foreach (var table in SessionRows)
                {
                    await using var command = connection.Command($"DELETE FROM {table} WHERE session_id = $id", transaction);
                    command.Parameters.Set("$id", id);
                    await command.ExecuteNonQueryAsync(ct);
                }

                await using var session = connection.Command("DELETE FROM sessions WHERE id = $id", transaction);
                session.Parameters.Set("$id", id);
                var deleted = await session.ExecuteNonQueryAsync(ct) > 0;
                await transaction.CommitAsync(ct);
                return deleted;
            },
            cancellationToken);

    private static Session Read(SqliteDataReader row) => new()
    {
        Id = row.Text("id"),
        Cwd = row.Text("cwd"),
        Agent = row.Text("agent"),
        Title = row.TextOrNull("title"),
        PermissionMode = row.Text("permission_mode"),
        Model = row.TextOrNull("model"),
        UnixUser = row.TextOrNull("unix_user"),
        AgentSessionId = row.TextOrNull("agent_session_id"),
        CreatedAt = row.Time("created_at"),
        UpdatedAt = row.Time("updated_at"),
    };
}

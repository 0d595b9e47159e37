using Agor.Daemon.Domain;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>Permission requests in the <c>permission_requests</c> table.</summary>
internal sealed class SqlitePermissionStore(SqliteDatabase database) : IPermissionStore
{
    private const string Columns = "id, session_id, task_id, tool_name, tool_input, tool_use_id, status, reason, created_at, decided_at";

    public Task CreateAsync(PermissionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return database.ExecuteAsync(
            $"""
            INSERT INTO permission_requests ({Columns})
            VALUES ($id, $session_id, $task_id, $tool_name, $tool_input, $tool_use_id, $status, $reason, $created_at, $decided_at)
            """,
            p =>
            {
                p.Set("$id", request.Id);
                p.Set("$session_id", request.SessionId);
                p.Set("$task_id", request.TaskId);
                p.Set("$tool_name", request.ToolName);
                p.Set("$tool_input", request.ToolInput);
                p.Set("$tool_use_id", request.ToolUseId);
                p.Set("$status", request.Status);
                p.Set("$reason", request.Reason);
                p.Set("$created_at", request.CreatedAt);
                p.Set("$decided_at", request.DecidedAt);
            },
            cancellationToken);
    }

    public Task<PermissionRequest?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM permission_requests WHERE id = $id", p => p.Set("$id", id), Read, cancellationToken);

    public Task<IReadOnlyList<PermissionRequest>> ListAsync(string? status, CancellationToken cancellationToken = default) =>
        status is null
            ? database.QueryAsync($"SELECT {Columns} FROM permission_requests ORDER BY created_at, row_id", _ => { }, Read, cancellationToken)
            : database.QueryAsync(
                $"SELECT {Columns} FROM permission_requests WHERE status = $status ORDER BY created_at, row_id",
                p => p.Set("$status", status),
                Read,
                cancellationToken);

    public async Task<Page<PermissionRequest>> ListPageAsync(string? status, int limit, PageKey? after, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var rows = await database.QueryAsync(
            $"""
            SELECT {Columns}, row_id FROM permission_requests
            WHERE ($status IS NULL OR status = $status)
                AND ($row IS NULL OR created_at > $time OR (created_at = $time AND row_id > $row))
            ORDER BY created_at, row_id LIMIT $limit
            """,
            p =>
            {
                p.Set("$status", status);
                p.Set("$row", after?.RowId);
                p.Set("$time", after?.Time);
                p.Set("$limit", limit + 1);
            },
            row => (Read(row), new PageKey(row.Int64("row_id"), row.Time("created_at"))),
            cancellationToken);
        return Page<PermissionRequest>.From(rows, limit);
    }

    public async Task<bool> DecideAsync(string id, string status, string? reason, DateTimeOffset decidedAt, CancellationToken cancellationToken = default)
    {
        var changed = await database.ExecuteAsync(
            """
            UPDATE permission_requests SET status = $status, reason = $reason, decided_at = $decided_at
            WHERE id = $id AND status = $pending
            """,
            p =>
            {
                p.Set("$id", id);
                p.Set("$status", status);
                p.Set("$reason", reason);
                p.Set("$decided_at", decidedAt);
                p.Set("$pending", PermissionStatuses.Pending);
            },
            cancellationToken);
        return changed > 0;
    }

    private static PermissionRequest Read(SqliteDataReader row) => new()
    {
        Id = row.Text("id"),
        SessionId = row.Text("session_id"),
        TaskId = row.Text("task_id"),
        ToolName = row.Text("tool_name"),
        ToolInput = row.Text("tool_input"),
        ToolUseId = row.TextOrNull("tool_use_id"),
        Status = row.Text("status"),
        Reason = row.TextOrNull("reason"),
        CreatedAt = row.Time("created_at"),
        DecidedAt = row.TimeOrNull("decided_at"),
    };
}

using Agor.Daemon.Domain;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>The audit log in the <c>audit_entries</c> table; ids are assigned by the database.</summary>
internal sealed class SqliteAuditStore(SqliteDatabase database) : IAuditStore
{
    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return database.ExecuteAsync(
            """
            INSERT INTO audit_entries (occurred_at, executor_id, method, session_id, task_id, outcome, detail)
            VALUES ($occurred_at, $executor_id, $method, $session_id, $task_id, $outcome, $detail)
            """,
            p =>
            {
                p.Set("$occurred_at", entry.Time);
                p.Set("$executor_id", entry.ExecutorId);
                p.Set("$method", entry.Method);
                p.Set("$session_id", entry.SessionId);
                p.Set("$task_id", entry.TaskId);
                p.Set("$outcome", entry.Outcome);
                p.Set("$detail", entry.Detail);
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return database.QueryAsync(
            """
            SELECT id, occurred_at, executor_id, method, session_id, task_id, outcome, detail
            FROM audit_entries ORDER BY id DESC LIMIT $limit
            """,
            p => p.Set("$limit", limit),
            Read,
            cancellationToken);
    }

    private static AuditEntry Read(SqliteDataReader row) => new()
    {
        Id = row.Int64("id"),
        Time = row.Time("occurred_at"),
        ExecutorId = row.Text("executor_id"),
        Method = row.Text("method"),
        SessionId = row.TextOrNull("session_id"),
        TaskId = row.TextOrNull("task_id"),
        Outcome = row.Text("outcome"),
        Detail = row.TextOrNull("detail"),
    };
}

using Agor.Daemon.Domain;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>The egress record in the <c>egress_connections</c> table; ids are assigned by the database.</summary>
internal sealed class SqliteEgressStore(SqliteDatabase database) : IEgressStore
{
    private const string Columns = "id, task_id, kind, host, port, address, allowed, reason, bytes_up, bytes_down, started_at, ended_at";

    public async Task<long> AppendAsync(EgressConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var stored = await database.ExecuteReturningAsync(
            $"""
            INSERT INTO egress_connections (task_id, kind, host, port, address, allowed, reason, bytes_up, bytes_down, started_at, ended_at)
            VALUES ($task_id, $kind, $host, $port, $address, $allowed, $reason, $bytes_up, $bytes_down, $started_at, $ended_at)
            RETURNING {Columns}
            """,
            p =>
            {
                p.Set("$task_id", connection.TaskId);
                p.Set("$kind", connection.Kind);
                p.Set("$host", connection.Host);
                p.Set("$port", connection.Port);
                p.Set("$address", connection.Address);
                p.Set("$allowed", connection.Allowed ? 1 : 0);
                p.Set("$reason", connection.Reason);
                p.Set("$bytes_up", connection.BytesUp);
                p.Set("$bytes_down", connection.BytesDown);
                p.Set("$started_at", connection.StartedAt);
                p.Set("$ended_at", connection.EndedAt);
            },
            Read,
            cancellationToken);
        return stored!.Id;
    }

    public async Task<Page<EgressConnection>> ListForTaskAsync(string taskId, int limit, PageKey? after, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var rows = await database.QueryAsync(
            $"SELECT {Columns} FROM egress_connections WHERE task_id = $task_id AND id > $row ORDER BY id LIMIT $limit",
            p =>
            {
                p.Set("$task_id", taskId);
                p.Set("$row", after?.RowId ?? 0);
                p.Set("$limit", limit + 1);
            },
            row => (Read(row), new PageKey(row.Int64("id"))),
            cancellationToken);
        return Page<EgressConnection>.From(rows, limit);
    }

    private static EgressConnection Read(SqliteDataReader row) => new()
    {
        Id = row.Int64("id"),
        TaskId = row.TextOrNull("task_id"),
        Kind = row.Text("kind"),
        Host = row.Text("host"),
        Port = (int)row.Int64("port"),
        Address = row.TextOrNull("address"),
        Allowed = row.Boolean("allowed"),
        Reason = row.Text("reason"),
        BytesUp = row.Int64("bytes_up"),
        BytesDown = row.Int64("bytes_down"),
        StartedAt = row.Time("started_at"),
        EndedAt = row.TimeOrNull("ended_at"),
    };
}

using Agor.Daemon.Domain;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>Stored live events in the <c>events</c> table; ids increase across all sessions.</summary>
internal sealed class SqliteEventStore(SqliteDatabase database) : IEventStore
{
    private const string Columns = "id, type, session_id, data, occurred_at";

    public async Task<StoredEvent> AppendAsync(StoredEvent storedEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storedEvent);
        var stored = await database.ExecuteReturningAsync(
            "INSERT INTO events (type, session_id, data, occurred_at) VALUES ($type, $session_id, $data, $occurred_at) RETURNING id",
            p =>
            {
                p.Set("$type", storedEvent.Type);
                p.Set("$session_id", storedEvent.SessionId);
                p.Set("$data", storedEvent.Data);
                p.Set("$occurred_at", storedEvent.Time);
            },
            row => storedEvent with { Id = row.Int64("id") },
            cancellationToken);
        return stored ?? throw new InvalidOperationException("The event insert returned no id.");
    }

    public async Task<long> LatestIdAsync(CancellationToken cancellationToken = default)
    {
        var rows = await database.QueryAsync("SELECT COALESCE(MAX(id), 0) AS id FROM events", _ => { }, row => row.Int64("id"), cancellationToken);
        return rows[0];
    }

    public Task<IReadOnlyList<StoredEvent>> ListAfterAsync(long afterId, string? sessionId, int limit, long maxBytes = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);

        // The running total of the data's bytes cuts the page in SQL, so no more rows than fit are read into memory.
        var filter = sessionId is null ? "id > $after" : "session_id = $session_id AND id > $after";
        return database.QueryAsync(
            $"""
            SELECT {Columns} FROM (
                SELECT {Columns}, length(CAST(data AS BLOB)) AS size,
                    SUM(length(CAST(data AS BLOB))) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS running
                FROM events WHERE {filter} ORDER BY id LIMIT $limit)
            WHERE running <= $max_bytes OR running = size
            ORDER BY id
            """,
            p =>
            {
                p.Set("$after", afterId);
                p.Set("$limit", limit);
                p.Set("$max_bytes", maxBytes);
                if (sessionId is not null)
                {
                    p.Set("$session_id", sessionId);
                }
            },
            Read,
            cancellationToken);
    }

    private static StoredEvent Read(SqliteDataReader row) => new()
    {
        Id = row.Int64("id"),
        Type = row.Text("type"),
        SessionId = row.TextOrNull("session_id"),
        Data = row.Text("data"),
        Time = row.Time("occurred_at"),
    };
}

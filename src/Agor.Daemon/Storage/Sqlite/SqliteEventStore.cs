using Agor.Daemon.Domain;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>
/// Stored live events in the <c>events</c> table; ids increase across all sessions. A
/// <c>message.created</c> event keeps only a reference to its message's data (the messages table
/// has it): an event of megabytes is stored once, not twice.
/// </summary>
internal sealed class SqliteEventStore(SqliteDatabase database) : IEventStore
{
    private const string MessageCreated = "message.created";

    private const string Columns = "e.id, e.type, e.session_id, e.data, e.occurred_at, e.message_sequence, m.event_data AS message_data";

    private const string Source =
        "events e LEFT JOIN messages m ON e.message_sequence IS NOT NULL AND m.session_id = e.session_id AND m.sequence = e.message_sequence";

    /// <summary>The bytes an event takes once its message's data is joined back in.</summary>
    private const string Size = "length(CAST(e.data AS BLOB)) + COALESCE(length(CAST(m.event_data AS BLOB)), 0)";

    public async Task<StoredEvent> AppendAsync(StoredEvent storedEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storedEvent);
        var reference = storedEvent.Type == MessageCreated && storedEvent.SessionId is not null ? MessageEventData.Strip(storedEvent.Data) : null;
        var stored = await database.ExecuteReturningAsync(
            "INSERT INTO events (type, session_id, data, occurred_at, message_sequence) VALUES ($type, $session_id, $data, $occurred_at, $message_sequence) RETURNING id",
            p =>
            {
                p.Set("$type", storedEvent.Type);
                p.Set("$session_id", storedEvent.SessionId);
                p.Set("$data", reference?.Data ?? storedEvent.Data);
                p.Set("$occurred_at", storedEvent.Time);
                p.Set("$message_sequence", reference?.Sequence);
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

        // The running total of the events' bytes (a message event's own data included) cuts the page
        // in SQL, so no more rows than fit are read into memory.
        var filter = sessionId is null ? "e.id > $after" : "e.session_id = $session_id AND e.id > $after";
        return database.QueryAsync(
            $"""
            SELECT id, type, session_id, data, occurred_at, message_sequence, message_data FROM (
                SELECT *, SUM(size) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS running FROM (
                    SELECT {Columns}, {Size} AS size FROM {Source} WHERE {filter} ORDER BY e.id LIMIT $limit))
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
        Data = row.Int64OrNull("message_sequence") is null ? row.Text("data") : MessageEventData.Restore(row.Text("data"), row.TextOrNull("message_data")),
        Time = row.Time("occurred_at"),
    };
}

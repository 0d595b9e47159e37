using Agor.Daemon.Domain;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>
/// Messages in the <c>messages</c> table. A message's session sequence is the session's highest
/// plus one, computed by the insert itself under the write lock, so sequences have no gaps or twins.
/// </summary>
internal sealed class SqliteMessageStore(SqliteDatabase database) : IMessageStore
{
    private const string Append = """
        INSERT INTO messages (session_id, sequence, task_id, task_sequence, event_type, event_data, created_at)
        SELECT $session_id, COALESCE(MAX(sequence), 0) + 1, $task_id, $task_sequence, $event_type, $event_data, $created_at
        FROM messages WHERE session_id = $session_id
        RETURNING sequence
        """;

    private const string List = """
        SELECT session_id, sequence, task_id, task_sequence, event_type, event_data, created_at
        FROM messages WHERE session_id = $session_id AND sequence > $after
        ORDER BY sequence
        LIMIT $limit
        """;

    public async Task<StoredMessage> AppendAsync(StoredMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var stored = await database.ExecuteReturningAsync(
            Append,
            p =>
            {
                p.Set("$session_id", message.SessionId);
                p.Set("$task_id", message.TaskId);
                p.Set("$task_sequence", message.TaskSequence);
                p.Set("$event_type", message.EventType);
                p.Set("$event_data", message.EventData);
                p.Set("$created_at", message.Timestamp);
            },
            row => message with { Sequence = row.Int64("sequence") },
            cancellationToken);
        return stored ?? throw new InvalidOperationException("The message insert returned no sequence.");
    }

    public Task<IReadOnlyList<StoredMessage>> ListAsync(string sessionId, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return database.QueryAsync(
            List,
            p =>
            {
                p.Set("$session_id", sessionId);
                p.Set("$after", afterSequence);
                p.Set("$limit", limit);
            },
            Read,
            cancellationToken);
    }

    private static StoredMessage Read(SqliteDataReader row) => new()
    {
        SessionId = row.Text("session_id"),
        Sequence = row.Int64("sequence"),
        TaskId = row.Text("task_id"),
        TaskSequence = row.Int64("task_sequence"),
        EventType = row.Text("event_type"),
        EventData = row.Text("event_data"),
        Timestamp = row.Time("created_at"),
    };
}

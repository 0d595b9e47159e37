using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>
/// The schema, as an ordered list of scripts: script N brings the database to version N. Each is
/// applied in its own transaction with the new version (<c>PRAGMA user_version</c>), so a database
/// is never left between two versions. Scripts are only ever appended, never edited.
/// </summary>
internal static class SqliteMigrations
{
    private const string Version1 = """
        CREATE TABLE sessions (
            row_id INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            cwd TEXT NOT NULL,
            agent TEXT NOT NULL,
            title TEXT,
            permission_mode TEXT NOT NULL,
            model TEXT,
            unix_user TEXT,
            agent_session_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE tasks (
            row_id INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            session_id TEXT NOT NULL REFERENCES sessions (id),
            prompt TEXT NOT NULL,
            permission_mode TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            started_at TEXT,
            completed_at TEXT,
            executor_id TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            cache_creation_input_tokens INTEGER,
            cache_read_input_tokens INTEGER,
            cost_usd REAL,
            error_code TEXT,
            error_message TEXT,
            agent_session_id TEXT
        );
        CREATE INDEX tasks_session ON tasks (session_id, row_id);
        CREATE INDEX tasks_status ON tasks (status);

        CREATE TABLE messages (
            session_id TEXT NOT NULL REFERENCES sessions (id),
            sequence INTEGER NOT NULL,
            task_id TEXT NOT NULL REFERENCES tasks (id),
            task_sequence INTEGER NOT NULL,
            event_type TEXT NOT NULL,
            event_data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (session_id, sequence)
        );
        CREATE INDEX messages_task ON messages (task_id);

        CREATE TABLE permission_requests (
            row_id INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            session_id TEXT NOT NULL REFERENCES sessions (id),
            task_id TEXT NOT NULL REFERENCES tasks (id),
            tool_name TEXT NOT NULL,
            tool_input TEXT NOT NULL,
            tool_use_id TEXT,
            status TEXT NOT NULL,
            reason TEXT,
            created_at TEXT NOT NULL,
            decided_at TEXT
        );
        CREATE INDEX permission_requests_status ON permission_requests (status);

        CREATE TABLE session_tokens (
            hash TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions (id),
            task_id TEXT NOT NULL REFERENCES tasks (id),
            executor_id TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            max_uses INTEGER NOT NULL,
            uses INTEGER NOT NULL,
            revoked INTEGER NOT NULL
        );
        CREATE INDEX session_tokens_task ON session_tokens (task_id);

        CREATE TABLE audit_entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            occurred_at TEXT NOT NULL,
            executor_id TEXT NOT NULL,
            method TEXT NOT NULL,
            session_id TEXT,
            task_id TEXT,
            outcome TEXT NOT NULL,
            detail TEXT
        );

        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            type TEXT NOT NULL,
            session_id TEXT,
            data TEXT NOT NULL,
            occurred_at TEXT NOT NULL
        );
        CREATE INDEX events_session ON events (session_id, id);
        """;

    // A message.created event refers to its message instead of holding a second copy of its data.
    private const string Version2 = """
        ALTER TABLE events ADD COLUMN message_sequence INTEGER;
        """;

    // How the task's agent was confined (its SandboxReport as JSON); null before the sandbox existed.
    private const string Version3 = """
        ALTER TABLE tasks ADD COLUMN sandbox TEXT;
        """;

    // The egress proxy's connections, allowed or refused (issue 11). No foreign key: like the audit,
    // a refused connection may belong to no task, and the record outlives a deleted session.
    private const string Version4 = """
        CREATE TABLE egress_connections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id TEXT,
            kind TEXT NOT NULL,
            host TEXT NOT NULL,
            port INTEGER NOT NULL,
            address TEXT,
            allowed INTEGER NOT NULL,
            reason TEXT NOT NULL,
            bytes_up INTEGER NOT NULL,
            bytes_down INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT
        );
        CREATE INDEX egress_connections_task ON egress_connections (task_id, id);
        """;

    // The model a prompt asked for (issue 12): a prompt may choose another than its session's.
    private const string Version5 = """
        ALTER TABLE tasks ADD COLUMN model TEXT;
        """;

    private static readonly string[] Scripts = [Version1, Version2, Version3, Version4, Version5];

    /// <summary>The version this code brings a database to.</summary>
    public static int LatestVersion => Scripts.Length;

    /// <summary>
    /// Applies the scripts the database lacks; returns how many were applied. Refuses a database
    /// newer than <see cref="LatestVersion"/> (written by a later Agor) rather than touch it.
    /// </summary>
    public static async Task<int> ApplyAsync(SqliteConnection connection, string databasePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var applied = 0;
        while (true)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var version = await ReadVersionAsync(connection, transaction, cancellationToken);
            if (version > LatestVersion)
            {
                throw new InvalidOperationException(
                    $"The database {databasePath} has schema version {version}, newer than the newest this Agor knows ({LatestVersion}). " +
                    "It was written by a later version of Agor; upgrade Agor or point it at another database.");
            }

            if (version == LatestVersion)
            {
                return applied;
            }

            await using (var script = connection.Command(Scripts[version], transaction))
            {
                await script.ExecuteNonQueryAsync(cancellationToken);
            }

            // PRAGMA takes no parameters; the value is an integer of ours, not input.
            await using (var stamp = connection.Command(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {version + 1};"), transaction))
            {
                await stamp.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            applied++;
        }
    }

    /// <summary>The database's schema version (0 for a new file).</summary>
    public static async Task<int> ReadVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.Command("PRAGMA user_version;", transaction);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}

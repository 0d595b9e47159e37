namespace Agor.Daemon.Storage.Sqlite;

/// <summary>
/// The daemon's state in one SQLite file (WAL mode, owner-only permissions), brought to the
/// current schema when opened. Safe to use from many threads at once.
/// </summary>
internal sealed class SqliteAgorStore : IAgorStore
{
    private readonly SqliteDatabase _database;

    private SqliteAgorStore(SqliteDatabase database, int migrationsApplied)
    {
        _database = database;
        MigrationsApplied = migrationsApplied;
        Sessions = new SqliteSessionStore(database);
        Tasks = new SqliteTaskStore(database);
        Messages = new SqliteMessageStore(database);
        Permissions = new SqlitePermissionStore(database);
        Tokens = new SqliteTokenStore(database);
        Audit = new SqliteAuditStore(database);
        Events = new SqliteEventStore(database);
        Egress = new SqliteEgressStore(database);
    }

    public ISessionStore Sessions { get; }

    public ITaskStore Tasks { get; }

    public IMessageStore Messages { get; }

    public IPermissionStore Permissions { get; }

    public ITokenStore Tokens { get; }

    public IAuditStore Audit { get; }

    public IEventStore Events { get; }

    public IEgressStore Egress { get; }

    /// <summary>The database file's full path.</summary>
    public string DatabasePath => _database.Path;

    /// <summary>How many migrations opening this store applied (0 when the database was current).</summary>
    public int MigrationsApplied { get; }

    /// <summary>
    /// Opens the database at <paramref name="databasePath"/>, creating it (mode 0600) when missing,
    /// and applies the migrations it lacks. Throws <see cref="InvalidOperationException"/> for a
    /// database of a newer schema than this code knows.
    /// </summary>
    public static async Task<SqliteAgorStore> OpenAsync(string databasePath, CancellationToken cancellationToken = default)
    {
        var database = await SqliteDatabase.OpenAsync(databasePath, cancellationToken);
        try
        {
            var applied = await database.WriteAsync(
                (connection, ct) => SqliteMigrations.ApplyAsync(connection, database.Path, ct),
                cancellationToken);
            return new SqliteAgorStore(database, applied);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

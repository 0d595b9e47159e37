using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>
/// The connections to one SQLite file: a single write connection, used by one writer at a time
/// (an async lock), and pooled read connections, which WAL lets run beside the writer. The file
/// and its <c>-wal</c>/<c>-shm</c> companions are readable by their owner only.
/// </summary>
internal sealed class SqliteDatabase : IAsyncDisposable
{
    /// <summary>How long a statement waits for a lock held by another connection.</summary>
    public const int BusyTimeoutMs = 5_000;

    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = PrivateFile | UnixFileMode.UserExecute;

    private static readonly string ReaderSetup = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {BusyTimeoutMs};");

    // journal_size_limit: the write-ahead log is cut back to 16 MiB after each checkpoint, so a burst
    // of writes (a task storing thousands of messages) does not leave a log of its size on disk.
    private static readonly string WriterSetup = string.Create(
        CultureInfo.InvariantCulture,
        $"PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 16777216;");

    private readonly SqliteConnection _writer;
    private readonly string _readConnectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _disposed;

    private SqliteDatabase(string path, SqliteConnection writer, string readConnectionString)
    {
        Path = path;
        _writer = writer;
        _readConnectionString = readConnectionString;
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/>, in WAL mode.</summary>
    public static async Task<SqliteDatabase> OpenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        CreatePrivateFile(fullPath);

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            ForeignKeys = true,
            Pooling = false,
        };
        var writer = new SqliteConnection(builder.ConnectionString);
        try
        {
            await writer.OpenAsync(cancellationToken);
            await using (var journal = writer.Command("PRAGMA journal_mode = WAL;"))
            {
                var mode = Convert.ToString(await journal.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"The database {fullPath} could not be switched to WAL mode (it is in '{mode}' mode).");
                }
            }

            await using (var setup = writer.Command(WriterSetup))
            {
                await setup.ExecuteNonQueryAsync(cancellationToken);
            }

            RestrictCompanionFiles(fullPath);
            builder.Pooling = true;
            return new SqliteDatabase(fullPath, writer, builder.ConnectionString);
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> on the write connection, alone.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await work(_writer, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs one write statement; returns the number of rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, ct) =>
            {
                await using var command = connection.Command(sql);
                bind(command.Parameters);
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);

    /// <summary>Runs one write statement with a <c>RETURNING</c> clause; returns its first row, or null when none.</summary>
    public Task<T?> ExecuteReturningAsync<T>(string sql, Action<SqliteParameterCollection> bind, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
        where T : class =>
        WriteAsync(
            async (connection, ct) =>
            {
                await using var command = connection.Command(sql);
                bind(command.Parameters);
                await using var reader = await command.ExecuteReaderAsync(ct);
                return await reader.ReadAsync(ct) ? map(reader) : null;
            },
            cancellationToken);

    /// <summary>Runs a query on a read connection and maps every row.</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Action<SqliteParameterCollection> bind, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bind);
        ArgumentNullException.ThrowIfNull(map);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.Command(sql);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>Runs a query on a read connection; returns its first row, or null when none.</summary>
    public async Task<T?> QuerySingleAsync<T>(string sql, Action<SqliteParameterCollection> bind, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(bind);
        ArgumentNullException.ThrowIfNull(map);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.Command(sql);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? map(reader) : null;
    }

    /// <summary>Waits for the writer in progress, then closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _writer.DisposeAsync();
            using var reader = new SqliteConnection(_readConnectionString);
            SqliteConnection.ClearPool(reader);
        }
        finally
        {
            // Not disposed: writers still waiting must get in to see _disposed and throw.
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var setup = connection.Command(ReaderSetup);
            await setup.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static void CreatePrivateFile(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, PrivateDirectory);
        }

        if (!File.Exists(path))
        {
            try
            {
                using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = PrivateFile });
            }
            catch (IOException) when (File.Exists(path))
            {
                // Created meanwhile by someone else; its mode is set below.
            }
        }

        File.SetUnixFileMode(path, PrivateFile);
    }

    private static void RestrictCompanionFiles(string path)
    {
        // SQLite gives these the main file's mode when it creates them; this covers files left by older runs.
        foreach (var companion in new[] { path + "-wal", path + "-shm", path + "-journal" })
        {
            if (File.Exists(companion))
            {
                File.SetUnixFileMode(companion, PrivateFile);
            }
        }
    }
}

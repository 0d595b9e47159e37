using Agor.Daemon.Domain;
using Agor.Daemon.Storage.Sqlite;

namespace Agor.Daemon.Tests.Storage;

/// <summary>A real SQLite store in a temporary directory, removed afterwards.</summary>
public abstract class StoreFixture : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agor-store-" + Guid.NewGuid().ToString("N"));

    internal SqliteAgorStore Store { get; private set; } = null!;

    protected string DatabasePath => Path.Combine(_directory, "agor.db");

    public async Task InitializeAsync() => Store = await SqliteAgorStore.OpenAsync(DatabasePath, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    internal async Task<AgorTask> CreateTaskAsync(string sessionId, string taskId)
    {
        await Store.Sessions.CreateAsync(new Session { Id = sessionId, Cwd = "/work", CreatedAt = T0, UpdatedAt = T0 });
        var task = new AgorTask { Id = taskId, SessionId = sessionId, Prompt = "Say hi", PermissionMode = "default", CreatedAt = T0 };
        await Store.Tasks.CreateAsync(task);
        return task;
    }
}

using Agor.Daemon.Domain;
using Agor.Daemon.Storage;
using Agor.Daemon.Storage.Sqlite;

namespace Agor.Daemon.Tests.Storage;

/// <summary>Keyset pages of the listings, and the byte-bounded pages of the event replay, on a real SQLite file.</summary>
public sealed class ListingPageTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("agor-pages-").FullName;
    private SqliteAgorStore _store = null!;

    public async Task InitializeAsync() => _store = await SqliteAgorStore.OpenAsync(Path.Combine(_directory, "agor.db"), CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task SessionPages_AreNewestFirst_TiesByInsertion_AndEndWithoutANextKey()
    {
        // Two share a creation time: the order between them is still fixed, and no page repeats or skips one.
        string[] ids = ["ses_0", "ses_1", "ses_2", "ses_3", "ses_4"];
        DateTimeOffset[] times = [T0, T0.AddSeconds(1), T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3)];
        for (var i = 0; i < ids.Length; i++)
        {
            await _store.Sessions.CreateAsync(new Session { Id = ids[i], Cwd = "/w", CreatedAt = times[i], UpdatedAt = times[i] });
        }

        var seen = await ReadAllAsync(key => _store.Sessions.ListPageAsync(2, key));

        Assert.Equal((await _store.Sessions.ListAsync()).Select(s => s.Id), seen.Select(s => s.Id));
        Assert.Equal(["ses_4", "ses_3", "ses_2", "ses_1", "ses_0"], seen.Select(s => s.Id));
    }

    [Fact]
    public async Task TaskAndPermissionPages_FollowCreationOrder_AndTheStatusFilter()
    {
        await _store.Sessions.CreateAsync(new Session { Id = "ses_1", Cwd = "/w", CreatedAt = T0, UpdatedAt = T0 });
        for (var i = 0; i < 5; i++)
        {
            await _store.Tasks.CreateAsync(new AgorTask { Id = $"tsk_{i}", SessionId = "ses_1", Prompt = "p", PermissionMode = "default", CreatedAt = T0 });
            await _store.Permissions.CreateAsync(new PermissionRequest
            {
                Id = $"perm_{i}",
                SessionId = "ses_1",
                TaskId = $"tsk_{i}",
                ToolName = "Edit",
                ToolInput = "{}",
                CreatedAt = T0.AddSeconds(5 - i),
            });
        }

        await _store.Permissions.DecideAsync("perm_2", PermissionStatuses.Denied, null, T0.AddMinutes(1));

        Assert.Equal(["tsk_0", "tsk_1", "tsk_2", "tsk_3", "tsk_4"], (await ReadAllAsync(key => _store.Tasks.ListBySessionPageAsync("ses_1", 2, key))).Select(t => t.Id));
        Assert.Equal(["perm_4", "perm_3", "perm_2", "perm_1", "perm_0"], (await ReadAllAsync(key => _store.Permissions.ListPageAsync(null, 2, key))).Select(p => p.Id));
        Assert.Equal(["perm_4", "perm_3", "perm_1", "perm_0"], (await ReadAllAsync(key => _store.Permissions.ListPageAsync(PermissionStatuses.Pending, 3, key))).Select(p => p.Id));
    }

    [Fact]
    public async Task AnEventPage_StopsAtItsByteBound_ButAlwaysHoldsTheFirstEvent()
    {
        var big = $"\"{new string('x', 1000)}\"";
        for (var i = 0; i < 10; i++)
        {
            await _store.Events.AppendAsync(new StoredEvent { Type = "task.updated", SessionId = "ses_a", Data = big, Time = T0 });
        }

        Assert.Equal(3, (await _store.Events.ListAfterAsync(0, null, 100, 3 * 1002)).Count);
        Assert.Equal([5L, 6L], (await _store.Events.ListAfterAsync(4, "ses_a", 100, (2 * 1002) + 1001)).Select(e => e.Id));
        Assert.Single(await _store.Events.ListAfterAsync(0, null, 100, 1));
        Assert.Equal(10, (await _store.Events.ListAfterAsync(0, null, 100)).Count);
    }

    private static async Task<List<T>> ReadAllAsync<T>(Func<PageKey?, Task<Page<T>>> read)
    {
        var all = new List<T>();
        PageKey? key = null;
        do
        {
            var page = await read(key);
            all.AddRange(page.Items);
            key = page.Next;
        }
        while (key is not null);

        return all;
    }
}

using Agor.Daemon.Domain;
using Agor.Daemon.Storage.Sqlite;
using Agor.Protocol.Wire;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Tests.Storage;

public sealed class SqliteStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agor-store-" + Guid.NewGuid().ToString("N"));
    private SqliteAgorStore _store = null!;

    private string DatabasePath => Path.Combine(_directory, "agor.db");

    public async Task InitializeAsync() => _store = await SqliteAgorStore.OpenAsync(DatabasePath, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Session_RoundTrips_WithAndWithoutOptionalValues()
    {
        var full = new Session
        {
            Id = "ses_full",
            Cwd = "/work/a",
            Agent = "claude-code",
            Title = "A title",
            PermissionMode = PermissionModes.AcceptEdits,
            Model = "sonnet",
            UnixUser = "alice",
            AgentSessionId = "agent-1",
            CreatedAt = T0.AddTicks(1234567),
            UpdatedAt = T0.AddHours(1),
        };
        var bare = new Session { Id = "ses_bare", Cwd = "/work/b", CreatedAt = T0.AddMinutes(1), UpdatedAt = T0.AddMinutes(1) };
        await _store.Sessions.CreateAsync(full);
        await _store.Sessions.CreateAsync(bare);

        Assert.Equal(full, await _store.Sessions.GetAsync("ses_full"));
        Assert.Equal(bare, await _store.Sessions.GetAsync("ses_bare"));
        Assert.Null(await _store.Sessions.GetAsync("ses_none"));
        Assert.Equal(["ses_bare", "ses_full"], (await _store.Sessions.ListAsync()).Select(s => s.Id));
    }

    [Fact]
    public async Task Times_KeepTheInstantAndEveryTick_WhateverTheOffset()
    {
        var local = new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.FromHours(-5)).AddTicks(9_999_999);
        await _store.Sessions.CreateAsync(new Session { Id = "ses_t", Cwd = "/", CreatedAt = local, UpdatedAt = local });

        var read = await _store.Sessions.GetAsync("ses_t");

        Assert.Equal(local, read!.CreatedAt);
        Assert.Equal(local.UtcTicks, read.CreatedAt.UtcTicks);
    }

    [Fact]
    public async Task SetAgentSessionId_UpdatesTheSession()
    {
        await CreateSessionAsync("ses_1");

        await _store.Sessions.SetAgentSessionIdAsync("ses_1", "agent-xyz", T0.AddDays(1));

        var session = await _store.Sessions.GetAsync("ses_1");
        Assert.Equal("agent-xyz", session!.AgentSessionId);
        Assert.Equal(T0.AddDays(1), session.UpdatedAt);
    }

    [Fact]
    public async Task Task_RoundTrips_WithUsageAndError_AndWithNulls()
    {
        await CreateSessionAsync("ses_1");
        var bare = NewTask("tsk_bare", "ses_1", T0);
        var full = NewTask("tsk_full", "ses_1", T0.AddSeconds(1)) with
        {
            Status = TaskStatuses.Failed,
            StartedAt = T0.AddSeconds(2),
            CompletedAt = T0.AddSeconds(3),
            ExecutorId = "exe_1",
            TokenUsage = new TokenUsage(10, 20, 30, 40),
            CostUsd = 0.0123,
            Error = new ErrorInfo("agent_crashed", "It crashed."),
            AgentSessionId = "agent-1",
        };
        await _store.Tasks.CreateAsync(bare);
        await _store.Tasks.CreateAsync(full);

        Assert.Equal(bare, await _store.Tasks.GetAsync("tsk_bare"));
        Assert.Equal(full, await _store.Tasks.GetAsync("tsk_full"));
        Assert.Null(await _store.Tasks.GetAsync("tsk_none"));
    }

    [Fact]
    public async Task UpdateTask_ReplacesEveryColumn_AndIsFalseForAnUnknownTask()
    {
        await CreateSessionAsync("ses_1");
        var task = NewTask("tsk_1", "ses_1", T0) with { TokenUsage = new TokenUsage(1, 2), Error = new ErrorInfo("x", "y"), CostUsd = 1 };
        await _store.Tasks.CreateAsync(task);
        var running = task with
        {
            Status = TaskStatuses.Running,
            StartedAt = T0.AddSeconds(1),
            ExecutorId = "exe_9",
            TokenUsage = null,
            Error = null,
            CostUsd = null,
        };

        Assert.True(await _store.Tasks.UpdateAsync(running));
        Assert.Equal(running, await _store.Tasks.GetAsync("tsk_1"));
        Assert.False(await _store.Tasks.UpdateAsync(running with { Id = "tsk_none" }));
    }

    [Fact]
    public async Task ListTasks_BySessionInCreationOrder_AndByStatusOldestFirst()
    {
        await CreateSessionAsync("ses_1");
        await CreateSessionAsync("ses_2");
        // Same creation time for all: ties are ordered by insertion.
        await _store.Tasks.CreateAsync(NewTask("tsk_c", "ses_1", T0));
        await _store.Tasks.CreateAsync(NewTask("tsk_a", "ses_1", T0) with { Status = TaskStatuses.Running });
        await _store.Tasks.CreateAsync(NewTask("tsk_b", "ses_2", T0) with { Status = TaskStatuses.Completed });
        await _store.Tasks.CreateAsync(NewTask("tsk_0", "ses_2", T0.AddSeconds(-1)) with { Status = TaskStatuses.AwaitingPermission });

        Assert.Equal(["tsk_c", "tsk_a"], (await _store.Tasks.ListBySessionAsync("ses_1")).Select(t => t.Id));
        Assert.Equal(["tsk_b", "tsk_0"], (await _store.Tasks.ListBySessionAsync("ses_2")).Select(t => t.Id));
        Assert.Empty(await _store.Tasks.ListBySessionAsync("ses_none"));

        var unfinished = await _store.Tasks.ListByStatusAsync([TaskStatuses.Queued, TaskStatuses.Running, TaskStatuses.AwaitingPermission]);
        Assert.Equal(["tsk_0", "tsk_c", "tsk_a"], unfinished.Select(t => t.Id));
        Assert.Equal(["tsk_b"], (await _store.Tasks.ListByStatusAsync([TaskStatuses.Completed])).Select(t => t.Id));
        Assert.Empty(await _store.Tasks.ListByStatusAsync([]));
    }

    [Fact]
    public async Task Messages_RoundTrip_AndListAfterASequence()
    {
        await CreateTaskAsync("ses_1", "tsk_1");
        for (var i = 1; i <= 5; i++)
        {
            var appended = await _store.Messages.AppendAsync(NewMessage("ses_1", "tsk_1", i));
            Assert.Equal(i, appended.Sequence);
        }

        var page = await _store.Messages.ListAsync("ses_1", afterSequence: 2, limit: 2);

        Assert.Equal([3L, 4L], page.Select(m => m.Sequence));
        Assert.Equal(NewMessage("ses_1", "tsk_1", 3) with { Sequence = 3 }, page[0]);
        Assert.Empty(await _store.Messages.ListAsync("ses_1", afterSequence: 5, limit: 10));
    }

    [Fact]
    public async Task ConcurrentMessageAppends_GiveEachSessionGaplessSequences()
    {
        await CreateTaskAsync("ses_1", "tsk_1");
        await CreateTaskAsync("ses_2", "tsk_2");

        var appends = Enumerable.Range(0, 200).Select(i => Task.Run(() => i % 2 == 0
            ? _store.Messages.AppendAsync(NewMessage("ses_1", "tsk_1", i))
            : _store.Messages.AppendAsync(NewMessage("ses_2", "tsk_2", i))));
        var appended = await Task.WhenAll(appends);

        foreach (var session in new[] { "ses_1", "ses_2" })
        {
            var returned = appended.Where(m => m.SessionId == session).Select(m => m.Sequence).Order();
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), returned);
            var stored = await _store.Messages.ListAsync(session, 0, 1000);
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), stored.Select(m => m.Sequence));
        }
    }

    [Fact]
    public async Task Permission_RoundTrips_AndIsDecidedOnce()
    {
        await CreateTaskAsync("ses_1", "tsk_1");
        var request = new PermissionRequest
        {
            Id = "perm_1",
            SessionId = "ses_1",
            TaskId = "tsk_1",
            ToolName = "Bash",
            ToolInput = """{"command":"ls"}""",
            CreatedAt = T0,
        };
        await _store.Permissions.CreateAsync(request);
        Assert.Equal(request, await _store.Permissions.GetAsync("perm_1"));

        Assert.True(await _store.Permissions.DecideAsync("perm_1", PermissionStatuses.Allowed, "fine", T0.AddSeconds(5)));
        Assert.False(await _store.Permissions.DecideAsync("perm_1", PermissionStatuses.Denied, "too late", T0.AddSeconds(6)));
        Assert.False(await _store.Permissions.DecideAsync("perm_none", PermissionStatuses.Denied, null, T0));

        Assert.Equal(
            request with { Status = PermissionStatuses.Allowed, Reason = "fine", DecidedAt = T0.AddSeconds(5) },
            await _store.Permissions.GetAsync("perm_1"));
    }

    [Fact]
    public async Task ListPermissions_ByStatusOrAll_OldestFirst()
    {
        await CreateTaskAsync("ses_1", "tsk_1");
        foreach (var (id, at) in new[] { ("perm_b", T0.AddSeconds(1)), ("perm_a", T0), ("perm_c", T0.AddSeconds(1)) })
        {
            await _store.Permissions.CreateAsync(new PermissionRequest
            {
                Id = id,
                SessionId = "ses_1",
                TaskId = "tsk_1",
                ToolName = "Edit",
                ToolInput = "{}",
                ToolUseId = "toolu_" + id,
                CreatedAt = at,
            });
        }

        await _store.Permissions.DecideAsync("perm_b", PermissionStatuses.TimedOut, null, T0.AddMinutes(5));

        Assert.Equal(["perm_a", "perm_b", "perm_c"], (await _store.Permissions.ListAsync(null)).Select(p => p.Id));
        Assert.Equal(["perm_a", "perm_c"], (await _store.Permissions.ListAsync(PermissionStatuses.Pending)).Select(p => p.Id));
        Assert.Equal(["perm_b"], (await _store.Permissions.ListAsync(PermissionStatuses.TimedOut)).Select(p => p.Id));
    }

    [Fact]
    public async Task Token_IsCountedOnEachUse_AndUnknownIsNull()
    {
        await CreateTaskAsync("ses_1", "tsk_1");
        var token = NewToken("hash_1", "tsk_1");
        await _store.Tokens.CreateAsync(token);

        Assert.Equal(token with { Uses = 1 }, await _store.Tokens.UseAsync("hash_1"));
        Assert.Equal(token with { Uses = 2 }, await _store.Tokens.UseAsync("hash_1"));
        Assert.Null(await _store.Tokens.UseAsync("hash_none"));
    }

    [Fact]
    public async Task HundredConcurrentUses_AreAllCounted()
    {
        await CreateTaskAsync("ses_1", "tsk_1");
        await _store.Tokens.CreateAsync(NewToken("hash_1", "tsk_1"));

        var uses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => _store.Tokens.UseAsync("hash_1"))));

        Assert.Equal(Enumerable.Range(1, 100), uses.Select(t => t!.Uses).Order());
        Assert.Equal(101, (await _store.Tokens.UseAsync("hash_1"))!.Uses);
    }

    [Fact]
    public async Task Revoke_OneToken_OrEveryTokenOfATask()
    {
        await CreateTaskAsync("ses_1", "tsk_1");
        await _store.Tasks.CreateAsync(NewTask("tsk_2", "ses_1", T0));
        await _store.Tokens.CreateAsync(NewToken("hash_1a", "tsk_1"));
        await _store.Tokens.CreateAsync(NewToken("hash_1b", "tsk_1"));
        await _store.Tokens.CreateAsync(NewToken("hash_2", "tsk_2"));
        await _store.Tokens.CreateAsync(NewToken("hash_3", "tsk_2"));

        await _store.Tokens.RevokeForTaskAsync("tsk_1");
        await _store.Tokens.RevokeAsync("hash_3");

        Assert.True((await _store.Tokens.UseAsync("hash_1a"))!.Revoked);
        Assert.True((await _store.Tokens.UseAsync("hash_1b"))!.Revoked);
        Assert.False((await _store.Tokens.UseAsync("hash_2"))!.Revoked);
        Assert.True((await _store.Tokens.UseAsync("hash_3"))!.Revoked);
    }

    [Fact]
    public async Task Audit_RoundTrips_NewestFirst()
    {
        await _store.Audit.AppendAsync(new AuditEntry { Time = T0, ExecutorId = "exe_1", Method = "get_api_key", Outcome = "ok", Detail = "anthropic", SessionId = "ses_1", TaskId = "tsk_1" });
        await _store.Audit.AppendAsync(new AuditEntry { Time = T0.AddSeconds(1), ExecutorId = "exe_2", Method = "report_message", Outcome = "invalid_token" });
        await _store.Audit.AppendAsync(new AuditEntry { Time = T0.AddSeconds(2), ExecutorId = "exe_3", Method = "x", Outcome = "ok" });

        var newest = await _store.Audit.ListAsync(2);

        Assert.Equal(
            [
                new AuditEntry { Id = 3, Time = T0.AddSeconds(2), ExecutorId = "exe_3", Method = "x", Outcome = "ok" },
                new AuditEntry { Id = 2, Time = T0.AddSeconds(1), ExecutorId = "exe_2", Method = "report_message", Outcome = "invalid_token" },
            ],
            newest);
        var all = await _store.Audit.ListAsync(10);
        Assert.Equal(
            new AuditEntry { Id = 1, Time = T0, ExecutorId = "exe_1", Method = "get_api_key", Outcome = "ok", Detail = "anthropic", SessionId = "ses_1", TaskId = "tsk_1" },
            all[2]);
    }

    [Fact]
    public async Task Events_GetIncreasingIds_AndAreListedAfterAnId_OfOneSessionOrAll()
    {
        var a1 = await _store.Events.AppendAsync(NewEvent("ses_a", 1));
        var b1 = await _store.Events.AppendAsync(NewEvent("ses_b", 2));
        var global = await _store.Events.AppendAsync(NewEvent(null, 3));
        var a2 = await _store.Events.AppendAsync(NewEvent("ses_a", 4));

        Assert.True(a1.Id > 0 && a1.Id < b1.Id && b1.Id < global.Id && global.Id < a2.Id);
        Assert.Equal(NewEvent(null, 3) with { Id = global.Id }, global);
        Assert.Equal([b1, global, a2], await _store.Events.ListAfterAsync(a1.Id, null, 100));
        Assert.Equal([a1, a2], await _store.Events.ListAfterAsync(0, "ses_a", 100));
        Assert.Equal([a2], await _store.Events.ListAfterAsync(a1.Id, "ses_a", 100));
        Assert.Equal([a1, b1], await _store.Events.ListAfterAsync(0, null, 2));
        Assert.Empty(await _store.Events.ListAfterAsync(a2.Id, null, 100));
    }

    [Fact]
    public async Task DatabaseFile_IsReadableByItsOwnerOnly()
    {
        await CreateTaskAsync("ses_1", "tsk_1");
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(DatabasePath));
        foreach (var companion in new[] { DatabasePath + "-wal", DatabasePath + "-shm" })
        {
            Assert.True(File.Exists(companion), companion);
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(companion));
        }
    }

    [Fact]
    public async Task Opening_UsesWalAndForeignKeys()
    {
        Assert.Equal("wal", await ScalarAsync("PRAGMA journal_mode;"));
        await Assert.ThrowsAsync<SqliteException>(() => _store.Tasks.CreateAsync(NewTask("tsk_orphan", "ses_none", T0)));
    }

    [Fact]
    public async Task Reopening_KeepsTheData_AndAppliesNoMigration()
    {
        Assert.Equal(SqliteMigrations.LatestVersion, _store.MigrationsApplied);
        await CreateTaskAsync("ses_1", "tsk_1");
        await _store.Messages.AppendAsync(NewMessage("ses_1", "tsk_1", 1));
        await _store.DisposeAsync();

        _store = await SqliteAgorStore.OpenAsync(DatabasePath, CancellationToken.None);

        Assert.Equal(0, _store.MigrationsApplied);
        Assert.Equal((long)SqliteMigrations.LatestVersion, await ScalarAsync("PRAGMA user_version;"));
        Assert.NotNull(await _store.Tasks.GetAsync("tsk_1"));
        Assert.Equal(2, (await _store.Messages.AppendAsync(NewMessage("ses_1", "tsk_1", 2))).Sequence);
    }

    [Fact]
    public async Task ADatabaseNewerThanTheCode_IsRefused_NamingItsVersion()
    {
        var newer = SqliteMigrations.LatestVersion + 41;
        var path = Path.Combine(_directory, "newer.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE TABLE t (x INTEGER); PRAGMA user_version = {newer};";
            await command.ExecuteNonQueryAsync();
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteAgorStore.OpenAsync(path, CancellationToken.None));

        Assert.Contains($"schema version {newer}", refused.Message, StringComparison.Ordinal);
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_CreatesAMissingDirectory()
    {
        var path = Path.Combine(_directory, "nested", "deeper", "agor.db");

        await using var store = await SqliteAgorStore.OpenAsync(path, CancellationToken.None);

        Assert.True(File.Exists(path));
        Assert.Equal(path, store.DatabasePath);
    }

    [Fact]
    public async Task UsingAClosedStore_Throws()
    {
        var path = Path.Combine(_directory, "closed.db");
        var store = await SqliteAgorStore.OpenAsync(path, CancellationToken.None);
        await store.DisposeAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.Sessions.CreateAsync(new Session { Id = "s", Cwd = "/", CreatedAt = T0, UpdatedAt = T0 }));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.Sessions.ListAsync());
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private Task CreateSessionAsync(string id) =>
        _store.Sessions.CreateAsync(new Session { Id = id, Cwd = "/work", CreatedAt = T0, UpdatedAt = T0 });

    private async Task CreateTaskAsync(string sessionId, string taskId)
    {
        await CreateSessionAsync(sessionId);
        await _store.Tasks.CreateAsync(NewTask(taskId, sessionId, T0));
    }

    private static AgorTask NewTask(string id, string sessionId, DateTimeOffset createdAt) => new()
    {
        Id = id,
        SessionId = sessionId,
        Prompt = "Say hi",
        PermissionMode = PermissionModes.Default,
        CreatedAt = createdAt,
    };

    private static StoredMessage NewMessage(string sessionId, string taskId, long taskSequence) => new()
    {
        SessionId = sessionId,
        TaskId = taskId,
        TaskSequence = taskSequence,
        EventType = "assistant",
        EventData = $$"""{"n":{{taskSequence}}}""",
        Timestamp = T0.AddMilliseconds(taskSequence),
    };

    private static SessionToken NewToken(string hash, string taskId) => new()
    {
        Hash = hash,
        SessionId = "ses_1",
        TaskId = taskId,
        ExecutorId = "exe_1",
        ExpiresAt = T0.AddDays(1),
        MaxUses = 10_000,
    };

    private static StoredEvent NewEvent(string? sessionId, int n) => new()
    {
        Type = "task.updated",
        SessionId = sessionId,
        Data = $$"""{"n":{{n}}}""",
        Time = T0.AddSeconds(n),
    };
}

using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Security;
using Agor.Daemon.Storage.Sqlite;
using Agor.Protocol.JsonRpc;

namespace Agor.Daemon.Tests.Security;

/// <summary>
/// Session tokens against the real SQLite store: every way a token can be wrong is the same
/// -32001 to the executor, with a message that does not say which check failed.
/// </summary>
public sealed class SessionTokenServiceTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("agor-tokens-").FullName;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private SqliteAgorStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteAgorStore.OpenAsync(Path.Combine(_directory, "agor.db"), CancellationToken.None);
        var now = _clock.GetUtcNow();
        await _store.Sessions.CreateAsync(new Session { Id = "ses_1", Cwd = "/tmp", CreatedAt = now, UpdatedAt = now });
        foreach (var task in new[] { "task_1", "task_2" })
        {
            await _store.Tasks.CreateAsync(new AgorTask { Id = task, SessionId = "ses_1", Prompt = "p", PermissionMode = PermissionModes.Default, CreatedAt = now });
        }
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task TheRightToken_OnItsExecutor_ForItsTask_IsAccepted_AndOnlyItsHashIsStored()
    {
        var tokens = Service(new ExecutionSettings());
        var (token, _) = await tokens.MintAsync("ses_1", "task_1", "exec_a");

        var record = await tokens.ValidateAsync(token, "exec_a", "task_1");

        Assert.Equal("task_1", record.TaskId);
        Assert.Equal(1, record.Uses);
        Assert.NotEqual(token, record.Hash);
        Assert.Equal(SessionTokenService.Hash(token), record.Hash);
    }

    [Fact]
    public async Task Forged_Foreign_OtherTask_Expired_Revoked_AndOverUsedTokens_AreAllRefusedAlike()
    {
        var tokens = Service(new ExecutionSettings { SessionTokenMaxUses = 2, SessionTokenExpirationMs = 60_000 });
        var (token, _) = await tokens.MintAsync("ses_1", "task_1", "exec_a");

        var refusals = new List<JsonRpcException>
        {
            await RefusedAsync(tokens.ValidateAsync("forged-" + token, "exec_a", "task_1")),
            await RefusedAsync(tokens.ValidateAsync(null, "exec_a", "task_1")),
            await RefusedAsync(tokens.ValidateAsync(token, "exec_b", "task_1")),
            await RefusedAsync(tokens.ValidateAsync(token, "exec_a", "task_2")),
        };

        // Each refused attempt above with the real token counted as a use: the limit of 2 is spent.
        refusals.Add(await RefusedAsync(tokens.ValidateAsync(token, "exec_a", "task_1")));

        var (fresh, _) = await tokens.MintAsync("ses_1", "task_2", "exec_a");
        _clock.Advance(TimeSpan.FromMinutes(2));
        refusals.Add(await RefusedAsync(tokens.ValidateAsync(fresh, "exec_a", "task_2")));

        var (revoked, _) = await tokens.MintAsync("ses_1", "task_2", "exec_a");
        await tokens.RevokeAsync(revoked);
        refusals.Add(await RefusedAsync(tokens.ValidateAsync(revoked, "exec_a", "task_2")));

        Assert.All(refusals, r => Assert.Equal(JsonRpcErrorCode.InvalidSessionToken, r.Code));
        Assert.Single(refusals.Select(r => r.Message).Distinct());
    }

    [Fact]
    public async Task ConcurrentUses_AreCountedExactly_SoTheLimitHolds()
    {
        var tokens = Service(new ExecutionSettings { SessionTokenMaxUses = 50 });
        var (token, _) = await tokens.MintAsync("ses_1", "task_1", "exec_a");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 80).Select(async _ =>
        {
            try
            {
                await tokens.ValidateAsync(token, "exec_a", "task_1");
                return true;
            }
            catch (JsonRpcException)
            {
                return false;
            }
        }));

        Assert.Equal(50, outcomes.Count(accepted => accepted));
    }

    private SessionTokenService Service(ExecutionSettings settings) => new(_store.Tokens, settings, _clock);

    private static async Task<JsonRpcException> RefusedAsync(Task attempt) => await Assert.ThrowsAsync<JsonRpcException>(() => attempt);
}

using Agor.Daemon.Tests.Api;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>The gateway's end-to-end specs again with <c>execution.run_as_unix_user: true</c>.</summary>
[Collection(IsolationTestGroup.Name)]
public sealed class GatewayUnixUserTests
{
    private const string ExecutorUser = "agor_executor";

    [SkippableFact(Timeout = 120_000)]
    public async Task RunAsUnixUser_TheAgentHoldsOnlyThePlaceholder()
    {
        Isolation.Require();
        await UnixUsers.EnsureAsync(ExecutorUser);
        await using var h = await DaemonHarness.StartAsync(o => o with { Execution = ["run_as_unix_user: true", $"executor_unix_user: {ExecutorUser}"] });
        await WithOwnedDirectoryAsync(async directory =>
            await GatewayEndToEndTests.AssertOnlyThePlaceholderAsync(h, (await h.Daemon.CreateSessionAsync(directory, "bypassPermissions")).GetProperty("id").GetString()!));
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task RunAsUnixUser_ATaskOverItsCostCap_EndsBudgetExceeded()
    {
        Isolation.Require();
        await UnixUsers.EnsureAsync(ExecutorUser);
        await using var h = await DaemonHarness.StartAsync(o => o with
        {
            Execution = ["run_as_unix_user: true", $"executor_unix_user: {ExecutorUser}"],
            Limits = [GatewayEndToEndTests.TinyCap],
        });
        await WithOwnedDirectoryAsync(async directory =>
            await GatewayEndToEndTests.AssertBudgetExceededAsync(h, (await h.Daemon.CreateSessionAsync(directory, "bypassPermissions")).GetProperty("id").GetString()!));
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task RunAsUnixUser_AStreamedAnswer_ReachesTheEventStream_BeforeTheModelHasFinished()
    {
        Isolation.Require();
        await UnixUsers.EnsureAsync(ExecutorUser);
        await using var h = await DaemonHarness.StartAsync(o => o with { Execution = ["run_as_unix_user: true", $"executor_unix_user: {ExecutorUser}"] });
        await WithOwnedDirectoryAsync(async directory =>
            await GatewayEndToEndTests.AssertStreamsChunkByChunkAsync(h, (await h.Daemon.CreateSessionAsync(directory, "default")).GetProperty("id").GetString()!));
    }

    private static async Task WithOwnedDirectoryAsync(Func<string, Task> spec)
    {
        var directory = Directory.CreateTempSubdirectory("agor-gw-work-").FullName;
        try
        {
            await ProcessRunner.RunCheckedAsync("chown", [ExecutorUser, directory]);
            await spec(directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

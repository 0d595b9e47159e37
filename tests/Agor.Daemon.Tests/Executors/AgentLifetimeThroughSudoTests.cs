using Agor.Daemon.Tests.Api;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Executors;

/// <summary>
/// Nothing outlives its executor through sudo either: the agent's tree runs as the executor user,
/// which the daemon does not signal once the executor is gone; the agent's guard ends it.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class AgentLifetimeThroughSudoTests
{
    private const string ExecutorUser = "agor_executor";

    [SkippableFact(Timeout = 120_000)]
    public async Task ExecutorSigkilled_TheAgentsTreeAsTheExecutorUserDies_AndTheFileIsNeverWritten()
    {
        Isolation.Require();
        var executorUid = await UnixUsers.EnsureAsync(ExecutorUser);
        await using var h = await DaemonHarness.StartAsync(o => o with { Execution = ["run_as_unix_user: true", $"executor_unix_user: {ExecutorUser}"] });
        var work = Directory.CreateTempSubdirectory("agor-lifetime-").FullName;
        await ProcessRunner.RunCheckedAsync("chown", [ExecutorUser, work]);
        try
        {
            var marker = Path.Combine(work, "written-after-death");
            var command = $"(setsid sh -c 'sleep 45; touch {marker}' &) ; sleep 45; touch {marker}";
            h.Model.Script.EnqueueToolUse("Bash", new { command, description = "Wait, then write" }).EnqueueText("Done.");
            var session = (await h.Daemon.CreateSessionAsync(work, "bypassPermissions")).GetProperty("id").GetString()!;
            await h.PromptAsync(session, "Wait and write");

            var executor = await WaitForExecutorPidAsync(h, TimeSpan.FromSeconds(30));
            var tree = await ProcessTreeSnapshot.WaitForAsync(executor, "sleep 45", count: 2, TimeSpan.FromSeconds(45));
            Assert.All(tree.Processes, p => Assert.Equal(executorUid, ProcessTable.Uid(p.Pid)));

            Assert.True(Signals.Send(executor, Signals.SigKill));
            var survivors = await tree.WaitUntilAllGoneAsync(TimeSpan.FromSeconds(15));

            Assert.True(survivors.Count == 0, $"still running after the executor died: {string.Join("; ", survivors)}");
            Assert.False(File.Exists(marker));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<int> WaitForExecutorPidAsync(DaemonHarness h, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (true)
        {
            var executors = await h.Daemon.GetAsync("/executors");
            var list = executors.ValueKind == System.Text.Json.JsonValueKind.Array ? executors : executors.GetProperty("executors");
            if (list.EnumerateArray().FirstOrDefault(e => e.GetProperty("state").GetString() == "busy") is { ValueKind: System.Text.Json.JsonValueKind.Object } busy)
            {
                return busy.GetProperty("pid").GetInt32();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no busy executor within {timeout}");
            }

            await timer.WaitForNextTickAsync();
        }
    }
}

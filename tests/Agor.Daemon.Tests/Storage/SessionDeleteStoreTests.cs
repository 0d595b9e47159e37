using Agor.Daemon.Domain;
using Agor.Protocol.Wire;

namespace Agor.Daemon.Tests.Storage;

/// <summary>The task's sandbox report is stored (schema v3); deleting a session takes what is its own and nothing else.</summary>
public sealed class SessionDeleteStoreTests : StoreFixture
{
    [Fact]
    public async Task SandboxReport_RoundTrips_AndNullStaysNull()
    {
        var task = await CreateTaskAsync("ses_1", "tsk_1");
        var report = new SandboxReport { Confined = true, Mechanism = "bwrap", Namespaces = ["mount", "pid"], Seccomp = true, Limits = "cgroup", Home = "/home/agent" };

        Assert.Null((await Store.Tasks.GetAsync("tsk_1"))!.Sandbox);
        Assert.True(await Store.Tasks.UpdateAsync(task with { Sandbox = report }));
        var stored = (await Store.Tasks.GetAsync("tsk_1"))!.Sandbox!;

        Assert.Equal((true, "bwrap", true, "cgroup", "/home/agent", (string?)null), (stored.Confined, stored.Mechanism, stored.Seccomp, stored.Limits, stored.Home, stored.Reason));
        Assert.Equal(["mount", "pid"], stored.Namespaces);
    }

    [Fact]
    public async Task DeleteSession_RemovesItsTasksAndMessages_OtherSessionsUntouched()
    {
        await CreateTaskAsync("ses_1", "tsk_1");
        await CreateTaskAsync("ses_2", "tsk_2");
        foreach (var (session, task) in new[] { ("ses_1", "tsk_1"), ("ses_2", "tsk_2") })
        {
            await Store.Messages.AppendAsync(new StoredMessage { SessionId = session, TaskId = task, TaskSequence = 1, EventType = "system", EventData = "{}", Timestamp = T0 });
        }

        Assert.True(await Store.Sessions.DeleteAsync("ses_1"));

        Assert.Null(await Store.Sessions.GetAsync("ses_1"));
        Assert.Null(await Store.Tasks.GetAsync("tsk_1"));
        Assert.Empty(await Store.Messages.ListAsync("ses_1", 0, 10));
        Assert.NotNull(await Store.Tasks.GetAsync("tsk_2"));
        Assert.Single(await Store.Messages.ListAsync("ses_2", 0, 10));
        Assert.False(await Store.Sessions.DeleteAsync("ses_1"));
    }
}

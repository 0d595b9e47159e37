using Agor.Daemon.Domain;
using Agor.Protocol.Wire;

namespace Agor.Daemon.Tests.Storage;

/// <summary>A task's status is written by compare-and-set: of two writers exactly one wins, and a final status is never overwritten.</summary>
public sealed class TaskStatusGuardTests : StoreFixture
{
    [Fact]
    public async Task AStopAndADispatchFromQueued_ExactlyOneWins()
    {
        var task = await CreateTaskAsync("ses_1", "tsk_1");
        string[] queued = [TaskStatuses.Queued];

        var cancelled = await Store.Tasks.TryTransitionAsync(task with { Status = TaskStatuses.Cancelled, CompletedAt = T0 }, queued);
        var started = await Store.Tasks.TryTransitionAsync(task with { Status = TaskStatuses.Running, StartedAt = T0 }, queued);

        Assert.True(cancelled);
        Assert.False(started);
        Assert.Equal(TaskStatuses.Cancelled, (await Store.Tasks.GetAsync("tsk_1"))!.Status);
    }

    [Theory]
    [InlineData(TaskStatuses.Completed)]
    [InlineData(TaskStatuses.Failed)]
    [InlineData(TaskStatuses.Cancelled)]
    public async Task AFinalStatus_IsNeverOverwritten_ByUpdateOrALateWaitingForPermission(string final)
    {
        var task = await CreateTaskAsync("ses_1", "tsk_1");
        Assert.True(await Store.Tasks.UpdateAsync(task with { Status = TaskStatuses.Running }));
        Assert.True(await Store.Tasks.UpdateAsync(task with { Status = final, Error = new ErrorInfo("x", "first") }));

        Assert.False(await Store.Tasks.UpdateAsync(task with { Status = TaskStatuses.Failed, Error = new ErrorInfo("y", "second") }));
        Assert.False(await Store.Tasks.TryTransitionAsync(task with { Status = TaskStatuses.AwaitingPermission }, [TaskStatuses.Running, TaskStatuses.AwaitingPermission]));

        var stored = await Store.Tasks.GetAsync("tsk_1");
        Assert.Equal(final, stored!.Status);
        Assert.Equal("first", stored.Error!.Message);
    }

    [Fact]
    public async Task ConcurrentFinishes_OneWriterWins()
    {
        var task = await CreateTaskAsync("ses_1", "tsk_1");
        string[] unfinished = [TaskStatuses.Queued, TaskStatuses.Running, TaskStatuses.AwaitingPermission];

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Store.Tasks.TryTransitionAsync(task with { Status = i % 2 == 0 ? TaskStatuses.Completed : TaskStatuses.Cancelled, Prompt = $"writer {i}" }, unfinished)));

        var winner = Assert.Single(results.Select((won, i) => (won, i)), r => r.won).i;
        Assert.Equal($"writer {winner}", (await Store.Tasks.GetAsync("tsk_1"))!.Prompt);
    }
}

using System.Text.Json;
using Agor.Daemon.Domain;
using Agor.Daemon.Events;
using Agor.Daemon.Sandbox;
using Agor.Daemon.Tests.Storage;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Daemon.Tests.SandboxPolicy;

/// <summary>At a task's end, each limit the kernel enforced is a stored system message; a failed task over a limit fails with resource_limit.</summary>
public sealed class TaskLimitRecorderTests : StoreFixture
{
    private static readonly ResourceLimits Limits = new(4L << 30, 512, null) { MemoryMaxText = "4G" };

    [Fact]
    public async Task FailedTaskOverMemory_FailsWithResourceLimit_AndTheTranscriptSaysSo()
    {
        var task = await CreateTaskAsync("ses_1", "tsk_1");
        var recorder = Recorder(out var hub);
        using (hub)
        {
            await using var sandbox = new TaskSandbox(new SandboxSpec(), new RecordedLimits(new LimitHits(1, 0)), Limits);

            var error = await recorder.RecordAsync(task, sandbox, TaskStatuses.Failed, new ErrorInfo("agent_crashed", "killed by signal 9"));

            Assert.Equal(new ErrorInfo("resource_limit", "memory_max (4G) reached: the kernel killed 1 process"), error);
            var message = Assert.Single(await Store.Messages.ListAsync("ses_1", 0, 10));
            Assert.Equal(("system", 0L, "tsk_1"), (message.EventType, message.TaskSequence, message.TaskId));
            using var data = JsonDocument.Parse(message.EventData);
            Assert.Equal("resource_limit", data.RootElement.GetProperty("subtype").GetString());
            Assert.Equal("memory_max", data.RootElement.GetProperty("limit").GetString());
            Assert.Equal("4G", data.RootElement.GetProperty("max").GetString());
            Assert.Equal(1, data.RootElement.GetProperty("count").GetInt64());
        }
    }

    [Fact]
    public async Task CompletedTaskThatHitPidsMax_KeepsItsOutcome_ButTheTranscriptSaysSo()
    {
        var task = await CreateTaskAsync("ses_1", "tsk_1");
        var recorder = Recorder(out var hub);
        using (hub)
        {
            await using var sandbox = new TaskSandbox(new SandboxSpec(), new RecordedLimits(new LimitHits(0, 12)), Limits);

            var error = await recorder.RecordAsync(task, sandbox, TaskStatuses.Completed, null);

            Assert.Null(error);
            var message = Assert.Single(await Store.Messages.ListAsync("ses_1", 0, 10));
            Assert.Contains("pids_max (512) reached: 12 forks refused", message.EventData, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NoCgroup_NoHits_NothingStored_ErrorKept()
    {
        var task = await CreateTaskAsync("ses_1", "tsk_1");
        var recorder = Recorder(out var hub);
        using (hub)
        {
            await using var sandbox = new TaskSandbox(new SandboxSpec(), limits: null, Limits);
            var original = new ErrorInfo("agent_crashed", "exit 1");

            Assert.Same(original, await recorder.RecordAsync(task, sandbox, TaskStatuses.Failed, original));
            Assert.Empty(await Store.Messages.ListAsync("ses_1", 0, 10));
        }
    }

    [Fact]
    public async Task DisposingTheSandbox_DisposesItsCgroupOnce()
    {
        var limits = new RecordedLimits(LimitHits.None);
        var sandbox = new TaskSandbox(new SandboxSpec(), limits, Limits);

        await sandbox.DisposeAsync();
        await sandbox.DisposeAsync();

        Assert.Equal(1, limits.Disposals);
    }

    private TaskLimitRecorder Recorder(out EventHub hub)
    {
        hub = new EventHub(Store.Events, new EventHubOptions(), TimeProvider.System, NullLogger<EventHub>.Instance);
        return new TaskLimitRecorder(Store, hub, TimeProvider.System, NullLogger.Instance);
    }

    /// <summary>A cgroup's counters as the kernel left them (the cgroup limiter's own specs run the real ones).</summary>
    private sealed class RecordedLimits(LimitHits hits) : ITaskLimits
    {
        public int Disposals { get; private set; }

        public IReadOnlyList<string> Paths { get; } = ["/sys/fs/cgroup/memory/agor/tsk_1"];

        public LimitHits ReadHits() => hits;

        public ValueTask DisposeAsync()
        {
            Disposals++;
            return ValueTask.CompletedTask;
        }
    }
}

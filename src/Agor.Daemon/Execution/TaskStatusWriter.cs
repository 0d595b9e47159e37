using Agor.Daemon.Api;
using Agor.Daemon.Domain;
using Agor.Daemon.Events;
using Agor.Daemon.Storage;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Execution;

/// <summary>
/// The one writer of a running daemon's task statuses. Every change is a compare-and-set in the
/// database (the row must still be in an expected status; rows affected are checked), so of a stop
/// and a dispatch, or a permission question and the completion, exactly one wins and a final status
/// is never overwritten. Writes and their announcements are serialized, so clients see the
/// statuses in the order they were stored.
/// </summary>
internal sealed class TaskStatusWriter(IAgorStore store, EventHub events, TimeProvider clock, ILogger logger) : IDisposable
{
    private static readonly string[] QueuedOnly = [TaskStatuses.Queued];
    private static readonly string[] Live = [TaskStatuses.Running, TaskStatuses.AwaitingPermission];
    private static readonly string[] Unfinished = [TaskStatuses.Queued, TaskStatuses.Running, TaskStatuses.AwaitingPermission];

    // Status changes are a few per task: one gate for all of them costs nothing and orders the announcements.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>queued → running. Null: the task is no longer queued (stopped meanwhile); the prompt must not be sent.</summary>
    public Task<AgorTask?> TryStartAsync(AgorTask task, string executorId, Action<AgorTask> onWritten) =>
        TryWriteAsync(task with { Status = TaskStatuses.Running, StartedAt = clock.GetUtcNow(), ExecutorId = executorId }, QueuedOnly, onWritten, log: false);

    /// <summary>running ⇄ awaiting_permission, as <paramref name="desired"/> says at the time of writing. Never revives a finished task.</summary>
    public async Task SetLiveStatusAsync(Func<AgorTask> current, Func<string> desired, Action<AgorTask> onWritten)
    {
        await _gate.WaitAsync();
        try
        {
            var task = current();
            var status = desired();
            if (task.IsFinished || task.Status == status)
            {
                return;
            }

            var changed = task with { Status = status };
            if (await store.Tasks.TryTransitionAsync(changed, Live))
            {
                onWritten(changed);
                await PublishAsync(changed);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends a queued task that has not started: false when it already had (or had ended).</summary>
    public async Task<bool> TryCancelQueuedAsync(AgorTask task, Action<AgorTask>? onWritten = null) =>
        await TryWriteAsync(Final(task, TaskStatuses.Cancelled, error: null, report: null), QueuedOnly, onWritten, log: true) is not null;

    /// <summary>Gives an unfinished task its final status; returns the task as stored afterwards (another writer's outcome when it was first).</summary>
    public async Task<AgorTask> FinishAsync(AgorTask task, string status, ErrorInfo? error, ReportCompletionParams? report = null, Action<AgorTask>? onWritten = null)
    {
        var finished = Final(task, status, error, report);
        if (await TryWriteAsync(finished, Unfinished, onWritten, log: true) is { } written)
        {
            if (written.AgentSessionId is { Length: > 0 } agentSession)
            {
                await store.Sessions.SetAgentSessionIdAsync(task.SessionId, agentSession, clock.GetUtcNow());
            }

            return written;
        }

        return await store.Tasks.GetAsync(task.Id) ?? finished;
    }

    public void Dispose() => _gate.Dispose();

    private AgorTask Final(AgorTask task, string status, ErrorInfo? error, ReportCompletionParams? report) => task with
    {
        Status = status,
        CompletedAt = clock.GetUtcNow(),
        Error = status == TaskStatuses.Cancelled ? null : error,
        TokenUsage = report?.TokenUsage ?? task.TokenUsage,
        CostUsd = report?.CostUsd ?? task.CostUsd,
        AgentSessionId = report?.AgentSessionId ?? task.AgentSessionId,
        Sandbox = report?.Sandbox ?? task.Sandbox,
    };

    private async Task<AgorTask?> TryWriteAsync(AgorTask changed, IReadOnlyCollection<string> from, Action<AgorTask>? onWritten, bool log)
    {
        await _gate.WaitAsync();
        try
        {
            if (!await store.Tasks.TryTransitionAsync(changed, from))
            {
                return null;
            }

            onWritten?.Invoke(changed);
            if (log)
            {
                TaskCoordinatorLog.TaskStatus(logger, changed.Id, changed.SessionId, changed.Status, changed.Error is { } e ? $" ({e.Code}: {e.Message})" : string.Empty);
            }

            await PublishAsync(changed);
            return changed;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task PublishAsync(AgorTask task) =>
        events.PublishAsync(EventNames.TaskUpdated, task.SessionId, TaskView.From(task), ApiJsonContext.Default.TaskView);
}

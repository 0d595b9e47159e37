using System.Text.Json;
using Agor.Daemon.Api;
using Agor.Daemon.Domain;
using Agor.Daemon.Events;
using Agor.Daemon.Storage;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox;

/// <summary>
/// At a task's end: stores a <c>system</c>/<c>resource_limit</c> message for each limit the kernel
/// enforced (unsequenced: task_sequence 0) and announces it like any other message; a failed task
/// whose cgroup recorded a hit fails with <c>resource_limit</c>, naming the limit.
/// </summary>
internal sealed class TaskLimitRecorder(IAgorStore store, EventHub events, TimeProvider clock, ILogger logger)
{
    /// <summary>The error the task ends with: <paramref name="error"/>, or the limit that was hit when the task failed.</summary>
    public async Task<ErrorInfo?> RecordAsync(AgorTask task, TaskSandbox sandbox, string status, ErrorInfo? error)
    {
        var hits = LimitHitEvent.From(sandbox.ReadHits(), sandbox.ResourceLimits);
        foreach (var hit in hits)
        {
            SandboxLog.LimitHit(logger, task.Id, hit.Limit, hit.Max, hit.Message);
            var stored = await store.Messages.AppendAsync(new StoredMessage
            {
                SessionId = task.SessionId,
                TaskId = task.Id,
                TaskSequence = 0,
                EventType = "system",
                EventData = JsonSerializer.Serialize(hit, SandboxJsonContext.Default.LimitHitEvent),
                Timestamp = clock.GetUtcNow(),
            });
            await events.PublishAsync(EventNames.MessageCreated, task.SessionId, MessageView.From(stored), ApiJsonContext.Default.MessageView);
        }

        return status == TaskStatuses.Failed && hits.Count > 0
            ? new ErrorInfo(LimitHitEvent.ErrorCode, string.Join("; ", hits.Select(h => h.Message)))
            : error;
    }
}

using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;

namespace Agor.Daemon.Execution;

/// <summary>
/// Waits for whatever ends a task on its executor first: its report, its stop deadline, its
/// executor dying, the executor not answering (execute_prompt, a heartbeat ping), the task's
/// timeout, or a limit it broke. Every wait is bounded by something the daemon controls.
/// </summary>
internal static class TaskOutcomeWaiter
{
    public static async Task<TaskOutcome> WaitAsync(RunningTask running, Task<ExecutePromptResult> accepted, ExecutionSettings settings, TimeProvider clock)
    {
        var lease = running.Lease;
        var never = Task.Delay(Timeout.Infinite, running.Ended.Token);
        var executorGone = Task.WhenAny(lease.Exited, lease.Client.Completion);

        // The executor enforces timeout_ms itself; the daemon gives it the stop grace on top, then ends it.
        var deadline = settings.TaskTimeoutMs > 0
            ? Task.Delay(TimeSpan.FromMilliseconds(settings.TaskTimeoutMs + settings.StopGraceMs), clock, running.Ended.Token)
            : never;
        var unresponsive = settings.HeartbeatIntervalMs > 0
            ? HeartbeatAsync(running, settings, clock)
            : NeverAsync(running.Ended.Token);
        Task? pendingAccept = accepted;

        while (true)
        {
            var waits = new List<Task> { running.Completion.Task, running.StopDeadline.Task, executorGone, running.Aborted.Task, deadline, unresponsive };
            if (pendingAccept is not null)
            {
                waits.Add(pendingAccept);
            }

            var first = await Task.WhenAny(waits);
            if (first == pendingAccept)
            {
                pendingAccept = null;
                if (AcceptFailure(accepted, running.StopRequested) is { } failure)
                {
                    return failure;
                }

                continue;
            }

            if (first == running.Completion.Task)
            {
                var report = await running.Completion.Task;
                return new TaskOutcome(running.StopRequested ? TaskStatuses.Cancelled : report.Status, report.Error, report);
            }

            if (first == running.StopDeadline.Task)
            {
                return new TaskOutcome(TaskStatuses.Cancelled, null, KillBecause: $"did not report within stop_grace_ms ({settings.StopGraceMs} ms) of being stopped");
            }

            if (first == executorGone)
            {
                return running.StopRequested
                    ? new TaskOutcome(TaskStatuses.Cancelled, null)
                    : new TaskOutcome(TaskStatuses.Failed, new ErrorInfo("executor_crashed", $"The executor {lease.ExecutorId} stopped unexpectedly ({lease.Client.Peer.CloseReason ?? "process exited"}); messages received so far are kept."));
            }

            if (first == running.Aborted.Task)
            {
                return new TaskOutcome(TaskStatuses.Failed, await running.Aborted.Task, KillBecause: "broke a limit");
            }

            if (first == deadline)
            {
                return new TaskOutcome(TaskStatuses.Failed, new ErrorInfo("timeout", $"The task did not finish within execution.task_timeout_ms ({settings.TaskTimeoutMs} ms)."), KillBecause: "ran past the task timeout");
            }

            var problem = await unresponsive;
            return new TaskOutcome(TaskStatuses.Failed, new ErrorInfo("executor_unresponsive", $"The executor {lease.ExecutorId} stopped answering ({problem}); it was killed, and messages received so far are kept."), KillBecause: problem);
        }
    }

    /// <summary>Null while execute_prompt went well; otherwise how the task ends.</summary>
    private static TaskOutcome? AcceptFailure(Task<ExecutePromptResult> accepted, bool stopRequested)
    {
        if (accepted.IsCompletedSuccessfully && accepted.Result.Accepted)
        {
            return null;
        }

        var (code, message, kill) = accepted.Exception?.InnerException switch
        {
            JsonRpcTimeoutException ex => ("executor_unresponsive", $"The executor did not answer execute_prompt ({ex.Message}).", "did not answer execute_prompt"),
            JsonRpcException ex => ("executor_error", ex.Message, null),
            JsonRpcConnectionLostException ex => ("executor_crashed", ex.Message, null),
            { } ex => ("executor_error", ex.Message, null),
            null => ("executor_error", "The executor refused the prompt.", null),
        };
        return stopRequested
            ? new TaskOutcome(TaskStatuses.Cancelled, null, KillBecause: kill)
            : new TaskOutcome(TaskStatuses.Failed, new ErrorInfo(code, message), KillBecause: kill);
    }

    private static async Task<string?> NeverAsync(CancellationToken ended)
    {
        await Task.Delay(Timeout.Infinite, ended);
        return null;
    }

    /// <summary>Pings the executor every heartbeat interval; completes with the reason when one ping goes unanswered in time.</summary>
    private static async Task<string?> HeartbeatAsync(RunningTask running, ExecutionSettings settings, TimeProvider clock)
    {
        var interval = TimeSpan.FromMilliseconds(settings.HeartbeatIntervalMs);
        var timeout = TimeSpan.FromMilliseconds(settings.RequestTimeoutMs);
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(running.Ended.Token))
            {
                try
                {
                    await running.Lease.Client.PingAsync(timeout, running.Ended.Token);
                }
                catch (JsonRpcTimeoutException)
                {
                    return $"no answer to a heartbeat ping within request_timeout_ms ({settings.RequestTimeoutMs} ms)";
                }
                catch (Exception ex) when (ex is JsonRpcException or JsonRpcConnectionLostException)
                {
                    // A dead connection is the executor-gone path's to report.
                    await Task.Delay(Timeout.Infinite, running.Ended.Token);
                }
            }
        }
        catch (OperationCanceledException) when (running.Ended.IsCancellationRequested)
        {
        }

        await Task.Delay(Timeout.Infinite, running.Ended.Token);
        return null;
    }
}

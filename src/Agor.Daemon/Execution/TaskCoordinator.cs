using System.Collections.Concurrent;
using System.Threading.Channels;
using Agor.Daemon.Api;
using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Events;
using Agor.Daemon.Executors;
using Agor.Daemon.Security;
using Agor.Daemon.Storage;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Execution;

/// <summary>
/// Runs prompts: each session has its own queue (one task at a time, in order); each task gets an
/// executor from the pool, a fresh session token and, when it ends, a final status — whatever way
/// it ends (reported, stopped, executor crashed).
/// </summary>
internal sealed class TaskCoordinator : IAsyncDisposable
{
    private static readonly TimeSpan StopReportWait = TimeSpan.FromSeconds(5);

    private readonly IAgorStore _store;
    private readonly ExecutorPool _pool;
    private readonly SessionTokenService _tokens;
    private readonly EventHub _events;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SessionQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RunningTask> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RunningTask> _runningBySession = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _waitingForExecutor = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _accepting = true;

    public TaskCoordinator(IAgorStore store, ExecutorPool pool, SessionTokenService tokens, EventHub events, TimeProvider clock, ILogger<TaskCoordinator> logger)
    {
        _store = store;
        _pool = pool;
        _tokens = tokens;
        _events = events;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Queues a prompt; it runs after the session's earlier tasks. Throws <see cref="InvalidOperationException"/> while shutting down.</summary>
    public async Task<AgorTask> SubmitAsync(Session session, string prompt, string? permissionMode, CancellationToken cancellationToken = default)
    {
        if (!_accepting)
        {
            throw new InvalidOperationException("The daemon is shutting down and accepts no new prompts.");
        }

        var task = new AgorTask
        {
            Id = Ids.New("task"),
            SessionId = session.Id,
            Prompt = prompt,
            PermissionMode = permissionMode ?? session.PermissionMode,
            CreatedAt = _clock.GetUtcNow(),
        };
        await _store.Tasks.CreateAsync(task, cancellationToken);
        await PublishTaskAsync(task);
        _queues.GetOrAdd(session.Id, _ => new SessionQueue(this)).Enqueue(task.Id);
        return task;
    }

    /// <summary>Stops a queued or running task. Null: no such task. The task as it is now otherwise (check its status).</summary>
    public async Task<AgorTask?> StopAsync(string taskId, CancellationToken cancellationToken = default)
    {
        if (_running.TryGetValue(taskId, out var running))
        {
            running.StopRequested = true;
            try
            {
                await running.Lease.Client.StopTaskAsync(new StopTaskParams { SessionToken = running.Token, TaskId = taskId, Reason = "stopped by the user" }, cancellationToken);
            }
            catch (Exception ex) when (ex is JsonRpcException or JsonRpcConnectionLostException)
            {
                // The executor is gone or confused: the deadline below ends it.
            }

            if (await Task.WhenAny(running.Completion.Task, Task.Delay(StopReportWait, _clock, cancellationToken)) != running.Completion.Task)
            {
                running.StopDeadline.TrySetResult();
            }

            return await WaitFinishedAsync(taskId, cancellationToken);
        }

        var task = await _store.Tasks.GetAsync(taskId, cancellationToken);
        if (task is null || task.IsFinished)
        {
            return task;
        }

        if (_waitingForExecutor.TryGetValue(taskId, out var waiting))
        {
            await waiting.CancelAsync();
        }

        return await FinishAsync(task, TaskStatuses.Cancelled, error: null);
    }

    /// <summary>The state a session is in: the status of its running task, <c>queued</c>, or <c>idle</c>.</summary>
    public string SessionStatus(string sessionId)
    {
        if (_runningBySession.TryGetValue(sessionId, out var running) && !running.Task.IsFinished)
        {
            return running.Task.Status;
        }

        return _queues.TryGetValue(sessionId, out var queue) && queue.HasWork ? TaskStatuses.Queued : "idle";
    }

    /// <summary>The running task an executor request is about, if the executor may speak for it.</summary>
    public RunningTask? FindRunning(string taskId) => _running.GetValueOrDefault(taskId);

    /// <summary>Sets a running task's status (running ⇄ awaiting_permission) and announces it.</summary>
    public async Task SetWaitingForPermissionAsync(RunningTask running, bool waiting)
    {
        var count = running.ChangeWaiting(waiting);
        var status = count > 0 ? TaskStatuses.AwaitingPermission : TaskStatuses.Running;
        if (running.Task.Status == status || running.Task.IsFinished)
        {
            return;
        }

        running.Task = running.Task with { Status = status };
        await _store.Tasks.UpdateAsync(running.Task);
        await PublishTaskAsync(running.Task);
    }

    /// <summary>SIGTERM: no new prompts; queued tasks cancelled; running ones stopped (as cancelled).</summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        _accepting = false;
        var unfinished = await _store.Tasks.ListByStatusAsync([TaskStatuses.Queued, TaskStatuses.Running, TaskStatuses.AwaitingPermission], cancellationToken);
        await Task.WhenAll(unfinished.Select(t => StopAsync(t.Id, cancellationToken)));
        await _stopping.CancelAsync();
        await Task.WhenAll(_queues.Values.Select(q => q.Completion));
    }

    public async ValueTask DisposeAsync()
    {
        _accepting = false;
        await _stopping.CancelAsync();
        await Task.WhenAll(_queues.Values.Select(q => q.Completion));
        _stopping.Dispose();
    }

    private async Task<AgorTask?> WaitFinishedAsync(string taskId, CancellationToken cancellationToken)
    {
        // The task's own loop writes its final status; wait for it to have done so.
        if (_running.TryGetValue(taskId, out var running))
        {
            await running.Finished.Task.WaitAsync(cancellationToken);
        }

        return await _store.Tasks.GetAsync(taskId, cancellationToken);
    }

    private async Task RunAsync(string taskId)
    {
        var task = await _store.Tasks.GetAsync(taskId);
        if (task is null || task.IsFinished)
        {
            return;
        }

        var session = await _store.Sessions.GetAsync(task.SessionId);
        if (session is null)
        {
            await FinishAsync(task, TaskStatuses.Failed, new ErrorInfo("session_missing", "The session no longer exists."));
            return;
        }

        ExecutorLease lease;
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            _waitingForExecutor[taskId] = waiting;
            try
            {
                lease = await _pool.AcquireAsync(session.UnixUser, waiting.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is ExecutorStartException or ObjectDisposedException)
            {
                await FinishAsync(task, TaskStatuses.Failed, new ErrorInfo("executor_unavailable", ex.Message));
                return;
            }
            finally
            {
                _waitingForExecutor.TryRemove(taskId, out _);
            }
        }

        await using (lease)
        {
            // It may have been stopped while it waited for an executor.
            task = await _store.Tasks.GetAsync(taskId);
            if (task is null || task.IsFinished)
            {
                return;
            }

            await RunOnExecutorAsync(task, session, lease);
        }
    }

    private async Task RunOnExecutorAsync(AgorTask task, Session session, ExecutorLease lease)
    {
        var (token, expiresAt) = await _tokens.MintAsync(session.Id, task.Id, lease.ExecutorId);
        var running = new RunningTask(task, session, lease, token, expiresAt);
        _running[task.Id] = running;
        _runningBySession[session.Id] = running;
        lease.AssignTask(task.Id);
        try
        {
            running.Task = task with { Status = TaskStatuses.Running, StartedAt = _clock.GetUtcNow(), ExecutorId = lease.ExecutorId };
            await _store.Tasks.UpdateAsync(running.Task);
            await PublishTaskAsync(running.Task);

            await lease.Client.ExecutePromptAsync(new ExecutePromptParams
            {
                SessionToken = token,
                SessionId = session.Id,
                TaskId = task.Id,
                Prompt = task.Prompt,
                Cwd = session.Cwd,
                PermissionMode = task.PermissionMode,
            });

            var executorGone = Task.WhenAny(lease.Exited, lease.Client.Completion);
            var first = await Task.WhenAny(running.Completion.Task, executorGone, running.StopDeadline.Task);
            if (first == running.Completion.Task)
            {
                var report = await running.Completion.Task;
                await FinishAsync(running.Task, running.StopRequested ? TaskStatuses.Cancelled : report.Status, report.Error, report);
            }
            else if (running.StopRequested)
            {
                await FinishAsync(running.Task, TaskStatuses.Cancelled, error: null);
            }
            else
            {
                await FinishAsync(running.Task, TaskStatuses.Failed, new ErrorInfo("executor_crashed", $"The executor {lease.ExecutorId} stopped unexpectedly ({lease.Client.Peer.CloseReason ?? "process exited"}); messages received so far are kept."));
            }
        }
        catch (Exception ex) when (ex is JsonRpcException or JsonRpcConnectionLostException or TimeoutException)
        {
            await FinishAsync(running.Task, running.StopRequested ? TaskStatuses.Cancelled : TaskStatuses.Failed, new ErrorInfo("executor_error", ex.Message));
        }
        finally
        {
            running.Revoked = true;
            await _tokens.RevokeAsync(token);
            await running.Ended.CancelAsync();
            _running.TryRemove(task.Id, out _);
            _runningBySession.TryRemove(session.Id, out _);
            running.Finished.TrySetResult();
        }
    }

    private async Task<AgorTask> FinishAsync(AgorTask task, string status, ErrorInfo? error, ReportCompletionParams? report = null)
    {
        var current = await _store.Tasks.GetAsync(task.Id) ?? task;
        if (current.IsFinished)
        {
            return current;
        }

        var finished = task with
        {
            Status = status,
            CompletedAt = _clock.GetUtcNow(),
            Error = status == TaskStatuses.Cancelled ? null : error,
            TokenUsage = report?.TokenUsage ?? task.TokenUsage,
            CostUsd = report?.CostUsd ?? task.CostUsd,
            AgentSessionId = report?.AgentSessionId ?? task.AgentSessionId,
        };
        await _store.Tasks.UpdateAsync(finished);
        if (_running.TryGetValue(task.Id, out var running))
        {
            // Seen at once by whoever asks for the session's status after the announcement below.
            running.Task = finished;
        }

        if (finished.AgentSessionId is { Length: > 0 } agentSession)
        {
            await _store.Sessions.SetAgentSessionIdAsync(task.SessionId, agentSession, _clock.GetUtcNow());
        }

        TaskCoordinatorLog.TaskStatus(_logger, task.Id, task.SessionId, status, error is null ? string.Empty : $" ({error.Code}: {error.Message})");
        await PublishTaskAsync(finished);
        return finished;
    }

    private Task PublishTaskAsync(AgorTask task) =>
        _events.PublishAsync(EventNames.TaskUpdated, task.SessionId, TaskView.From(task), ApiJsonContext.Default.TaskView);

    /// <summary>One session's tasks, run one after the other by a loop that lives while there is work.</summary>
    private sealed class SessionQueue
    {
        private readonly TaskCoordinator _owner;
        private readonly Channel<string> _tasks = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        private int _queued;

        public SessionQueue(TaskCoordinator owner)
        {
            _owner = owner;
            Completion = Task.Run(LoopAsync);
        }

        public Task Completion { get; }

        public bool HasWork => Volatile.Read(ref _queued) > 0;

        public void Enqueue(string taskId)
        {
            Interlocked.Increment(ref _queued);
            _tasks.Writer.TryWrite(taskId);
        }

        private async Task LoopAsync()
        {
            try
            {
                while (await _tasks.Reader.WaitToReadAsync(_owner._stopping.Token))
                {
                    while (_tasks.Reader.TryRead(out var taskId))
                    {
                        try
                        {
                            await _owner.RunAsync(taskId);
                        }
                        catch (Exception ex)
                        {
                            TaskCoordinatorLog.TaskCrashed(_owner._logger, ex, taskId);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _queued);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (_owner._stopping.IsCancellationRequested)
            {
            }
        }
    }
}

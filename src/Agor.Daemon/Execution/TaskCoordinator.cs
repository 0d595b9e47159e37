using System.Collections.Concurrent;
using System.Threading.Channels;
using Agor.Daemon.Api;
using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Events;
using Agor.Daemon.Executors;
using Agor.Daemon.Sandbox;
using Agor.Daemon.Security;
using Agor.Daemon.Storage;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Execution;

/// <summary>
/// Runs prompts: each session has its own queue (one task at a time, in order); each task gets an
/// executor from the pool, a fresh session token and, when it ends, a final status — whatever way
/// it ends (reported, stopped, executor crashed or unresponsive, timed out, over a limit). Every
/// wait on an executor is bounded; statuses are written by <see cref="TaskStatusWriter"/> alone.
/// </summary>
internal sealed class TaskCoordinator : IAsyncDisposable
{
    private readonly IAgorStore _store;
    private readonly ExecutorPool _pool;
    private readonly SessionTokenService _tokens;
    private readonly EventHub _events;
    private readonly TaskStatusWriter _status;
    private readonly SandboxPlanner _sandbox;
    private readonly TaskLimitRecorder _limits;
    private readonly ExecutionSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SessionQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RunningTask> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RunningTask> _runningBySession = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _waitingForExecutor = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _accepting = true;

    public TaskCoordinator(IAgorStore store, ExecutorPool pool, SessionTokenService tokens, EventHub events, SandboxPlanner sandbox, ExecutionSettings settings, TimeProvider clock, ILogger<TaskCoordinator> logger)
    {
        _sandbox = sandbox;
        _limits = new TaskLimitRecorder(store, events, clock, logger);
        _store = store;
        _pool = pool;
        _tokens = tokens;
        _events = events;
        _settings = settings;
        _clock = clock;
        _logger = logger;
        _status = new TaskStatusWriter(store, events, clock, logger);
    }

    private TimeSpan StopGrace => TimeSpan.FromMilliseconds(_settings.StopGraceMs);

    private TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(_settings.RequestTimeoutMs);

    /// <summary>
    /// Queues a prompt; it runs after the session's earlier tasks. A null permission mode or model
    /// is the session's. Throws <see cref="InvalidOperationException"/> while shutting down.
    /// </summary>
    public async Task<AgorTask> SubmitAsync(Session session, string prompt, string? permissionMode, string? model = null, CancellationToken cancellationToken = default)
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
            Model = model ?? session.Model,
            CreatedAt = _clock.GetUtcNow(),
        };
        await _store.Tasks.CreateAsync(task, cancellationToken);
        await _events.PublishAsync(EventNames.TaskUpdated, task.SessionId, TaskView.From(task), ApiJsonContext.Default.TaskView, cancellationToken: cancellationToken);
        _queues.GetOrAdd(session.Id, _ => new SessionQueue(this)).Enqueue(task.Id);
        return task;
    }

    /// <summary>
    /// Stops a queued or running task. Null: no such task. The task as it is now otherwise (check its
    /// status). Bounded: a running task's executor gets <c>stop_grace_ms</c> from now to report, then
    /// it is killed and reaped (at most <c>shutdown_grace_ms</c> more) and the task is cancelled.
    /// </summary>
    public async Task<AgorTask?> StopAsync(string taskId, CancellationToken cancellationToken = default)
    {
        // The deadline starts before anything is sent: an executor that never answers cannot stretch it.
        var deadline = Task.Delay(StopGrace, _clock, CancellationToken.None);

        // Twice at most: a queued task that a dispatch starts meanwhile is then found running.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (_running.TryGetValue(taskId, out var running))
            {
                return await StopRunningAsync(running, deadline, cancellationToken);
            }

            var task = await _store.Tasks.GetAsync(taskId, cancellationToken);
            if (task is null || task.IsFinished)
            {
                return task;
            }

            if (_waitingForExecutor.TryGetValue(taskId, out var waiting))
            {
                try
                {
                    await waiting.CancelAsync();
                }
                catch (ObjectDisposedException)
                {
                    // The wait ended (an executor was handed out) between the look-up and now.
                }
            }

            // Queued: cancelled only if it still is. A dispatch registers the task as running before
            // it marks it so; losing this race means the next round finds it there.
            if (task.Status == TaskStatuses.Queued && await _status.TryCancelQueuedAsync(task))
            {
                return await _store.Tasks.GetAsync(taskId, cancellationToken);
            }
        }

        return await WaitFinishedAsync(taskId, cancellationToken);
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

    /// <summary>Sets a running task's status (running ⇄ awaiting_permission) and announces it; never revives a finished task.</summary>
    public Task SetWaitingForPermissionAsync(RunningTask running, bool waiting)
    {
        running.ChangeWaiting(waiting);
        return _status.SetLiveStatusAsync(
            () => running.Task,
            () => running.Waiting > 0 ? TaskStatuses.AwaitingPermission : TaskStatuses.Running,
            written => running.Task = written);
    }

    /// <summary>SIGTERM: no new prompts; queued tasks cancelled; running ones stopped (as cancelled), each within its stop bound.</summary>
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
        _status.Dispose();
    }

    private async Task<AgorTask?> StopRunningAsync(RunningTask running, Task deadline, CancellationToken cancellationToken)
    {
        var taskId = running.Task.Id;
        if (running.RequestStop())
        {
            var stop = running.Lease.Client.StopTaskAsync(new StopTaskParams { SessionToken = running.Token, TaskId = taskId, Reason = "stopped by the user" }, StopGrace, CancellationToken.None);
            _ = stop.ContinueWith(t => TaskCoordinatorLog.StopRequestFailed(_logger, taskId, running.ExecutorId, t.Exception!.InnerException!.Message), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        else if (running.Task.Status == TaskStatuses.Queued)
        {
            // Handed an executor but the prompt not yet sent: it never will be.
            await _status.TryCancelQueuedAsync(running.Task, written => running.Task = written);
        }

        if (await Task.WhenAny(running.Finished.Task, deadline) != running.Finished.Task)
        {
            running.StopDeadline.TrySetResult();
        }

        return await WaitFinishedAsync(taskId, cancellationToken);
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
            await _status.FinishAsync(task, TaskStatuses.Failed, new ErrorInfo("session_missing", "The session no longer exists."));
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
                await _status.FinishAsync(task, TaskStatuses.Failed, new ErrorInfo("executor_unavailable", ex.Message));
                return;
            }
            finally
            {
                _waitingForExecutor.TryRemove(taskId, out _);
            }
        }

        // The task's cgroup outlives the executor: it is removed once the lease has ended it.
        TaskSandbox? sandbox = null;
        try
        {
            await using (lease)
            {
                sandbox = await _sandbox.PrepareAsync(task, session, lease);
                await RunOnExecutorAsync(task, session, lease, sandbox);
            }
        }
        finally
        {
            if (sandbox is not null)
            {
                await DisposeSandboxAsync(sandbox, taskId);
            }
        }
    }

    private async Task DisposeSandboxAsync(TaskSandbox sandbox, string taskId)
    {
        try
        {
            await sandbox.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            SandboxLog.LimitsNotRemoved(_logger, ex, taskId);
        }
    }

    private async Task RunOnExecutorAsync(AgorTask task, Session session, ExecutorLease lease, TaskSandbox sandbox)
    {
        var (token, expiresAt) = await _tokens.MintAsync(session.Id, task.Id, lease.ExecutorId);
        var running = new RunningTask(task, session, lease, token, expiresAt) { NetworkIsolated = sandbox.NetworkIsolated };

        // Registered before the status says running: a stop that sees `running` finds it here.
        _running[task.Id] = running;
        _runningBySession[session.Id] = running;
        lease.AssignTask(task.Id);
        try
        {
            // Only a task that is still queued starts; a stop that came first keeps it cancelled.
            if (await _status.TryStartAsync(task, lease.ExecutorId, written => running.Task = written) is null)
            {
                return;
            }

            if (!running.MarkPromptSent())
            {
                await _status.FinishAsync(running.Task, TaskStatuses.Cancelled, error: null, onWritten: written => running.Task = written);
                return;
            }

            var accepted = lease.Client.ExecutePromptAsync(
                new ExecutePromptParams
                {
                    SessionToken = token,
                    SessionId = session.Id,
                    TaskId = task.Id,
                    Prompt = task.Prompt,
                    Cwd = session.Cwd,
                    PermissionMode = task.PermissionMode,
                    TimeoutMs = _settings.TaskTimeoutMs,
                    Sandbox = sandbox.Spec,
                },
                RequestTimeout);

            // Observed here: the outcome may be decided (a report, a stop) before this call fails.
            _ = accepted.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            var outcome = await TaskOutcomeWaiter.WaitAsync(running, accepted, _settings, _clock);
            if (outcome.KillBecause is { } problem)
            {
                TaskCoordinatorLog.ExecutorKilled(_logger, task.Id, lease.ExecutorId, problem);
                running.Revoke();
                await lease.KillAsync(TimeSpan.FromMilliseconds(_settings.ShutdownGraceMs));
            }

            outcome = Gateway.TaskGateway.Settle(running, outcome);
            var error = await _limits.RecordAsync(running.Task, sandbox, outcome.Status, outcome.Error);
            await _status.FinishAsync(running.Task, outcome.Status, error, outcome.Report, written => running.Task = written);
        }
        finally
        {
            running.Revoke();
            await _tokens.RevokeAsync(token);
            await running.Ended.CancelAsync();
            _running.TryRemove(task.Id, out _);
            _runningBySession.TryRemove(session.Id, out _);
            running.Finished.TrySetResult();
        }
    }

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

using Agor.Executor.Agents;
using Agor.Executor.Logging;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Executor.Tasks;

/// <summary>Runs at most one task at a time, and answers <c>execute_prompt</c>, <c>stop_task</c> and <c>shutdown</c> about it.</summary>
internal sealed class TaskSupervisor(JsonRpcPeer daemon, AgentRunners runners, ILogger logger) : IDisposable
{
    private static readonly string[] PermissionModes = ["default", "acceptEdits", "bypassPermissions", "plan"];
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private PromptTask? _current;
    private bool _closed;

    public ExecutePromptResult Execute(ExecutePromptParams parameters)
    {
        Validate(parameters);
        lock (_lock)
        {
            if (_closed)
            {
                throw new JsonRpcException(JsonRpcErrorCode.Busy, "The executor is shutting down.");
            }

            if (_current is { Finished: false } running)
            {
                throw new JsonRpcException(JsonRpcErrorCode.Busy, $"Busy: task {running.TaskId} is still running; an executor runs one task at a time.");
            }

            // The previous task reported its outcome; its agent may still be ending, and the new
            // one starts after it (the next agent may resume the session the last one is saving).
            var previous = _current;
            _current = new PromptTask(daemon, parameters, runners, logger, previous: previous?.Completion);
            if (previous is not null)
            {
                _ = DisposeWhenDoneAsync(previous);
            }
        }

        ExecutorLog.TaskAccepted(logger, parameters.TaskId, parameters.SessionId, parameters.PermissionMode);
        return new ExecutePromptResult(true);
    }

    public async Task<StopTaskResult> StopAsync(StopTaskParams parameters)
    {
        var task = Current;
        if (task is null || task.TaskId != parameters.TaskId || task.Finished)
        {
            return new StopTaskResult(false, $"Task {parameters.TaskId} is not running here.");
        }

        if (task.Parameters.SessionToken != parameters.SessionToken)
        {
            throw new JsonRpcException(JsonRpcErrorCode.InvalidSessionToken, "The session token is not this task's.");
        }

        task.Stop(StopReason.Requested);
        var stopped = await Task.WhenAny(task.Completion, Task.Delay(StopWait)) == task.Completion;
        return stopped ? new StopTaskResult(true) : new StopTaskResult(true, "Stop requested; the agent is still ending.");
    }

    /// <summary>Lets a running task finish within <paramref name="wait"/>, else stops it. Refuses new tasks from here on.</summary>
    public async Task<string> ShutdownAsync(TimeSpan wait)
    {
        PromptTask? task;
        lock (_lock)
        {
            _closed = true;
            task = _current;
        }

        if (task is null)
        {
            return "idle";
        }

        if (task.Completion.IsCompleted || await Task.WhenAny(task.Completion, Task.Delay(wait)) == task.Completion)
        {
            return "completed";
        }

        task.Stop(StopReason.Shutdown);
        await task.Completion;
        return "interrupted";
    }

    /// <summary>The daemon is gone: end the agent now; nothing can be reported any more.</summary>
    public async Task AbandonAsync()
    {
        PromptTask? task;
        lock (_lock)
        {
            _closed = true;
            task = _current;
        }

        if (task is not null)
        {
            task.Stop(StopReason.DaemonGone);
            await task.Completion;
        }
    }

    private static async Task DisposeWhenDoneAsync(PromptTask task)
    {
        await task.Completion;
        task.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            _current?.Dispose();
        }
    }

    private PromptTask? Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    private static void Validate(ExecutePromptParams parameters)
    {
        Require(parameters.SessionToken, "session_token");
        Require(parameters.SessionId, "session_id");
        Require(parameters.TaskId, "task_id");
        Require(parameters.Prompt, "prompt");
        if (!Path.IsPathFullyQualified(parameters.Cwd))
        {
            throw JsonRpcException.InvalidParams("cwd", "must be an absolute path");
        }

        if (!PermissionModes.Contains(parameters.PermissionMode, StringComparer.Ordinal))
        {
            throw JsonRpcException.InvalidParams("permission_mode", $"must be one of {string.Join(", ", PermissionModes)}");
        }

        if (parameters.TimeoutMs < 0)
        {
            throw JsonRpcException.InvalidParams("timeout_ms", "must not be negative");
        }

        if (parameters.Tools.Any(tool => string.IsNullOrWhiteSpace(tool) || tool.Contains(',', StringComparison.Ordinal)))
        {
            throw JsonRpcException.InvalidParams("tools", "must be tool names without commas");
        }

        if (parameters.PreApprovedTools.Any(tool => string.IsNullOrWhiteSpace(tool) || tool.Contains(',', StringComparison.Ordinal)))
        {
            throw JsonRpcException.InvalidParams("pre_approved_tools", "must be tool names without commas");
        }
    }

    private static void Require(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw JsonRpcException.InvalidParams(field, "must not be empty");
        }
    }
}

using System.Text.Json.Serialization;
using Agor.Protocol.JsonRpc;

namespace Agor.Protocol.Wire;

// Daemon -> executor requests. Member names travel as snake_case (see ProtocolJsonContext).

/// <summary>Params of <c>ping</c>: none.</summary>
public sealed record PingParams;

/// <summary>Result of <c>ping</c>: who and where the executor is.</summary>
public sealed record PingResult(bool Pong, long Timestamp, int Pid, int Uid, string User);

/// <summary>Params of <c>shutdown</c>.</summary>
public sealed record ShutdownParams(string Reason = "requested", int TimeoutMs = 5000) : IValidatedParams
{
    /// <inheritdoc />
    public string? Validate() => TimeoutMs < 0 ? "'timeout_ms' must be 0 or more" : null;
}

/// <summary>Result of <c>shutdown</c>: <c>idle</c>, <c>completed</c> or <c>interrupted</c>.</summary>
public sealed record ShutdownResult(string Status);

/// <summary>Params of <c>execute_prompt</c>.</summary>
public sealed record ExecutePromptParams : IValidatedParams
{
    /// <summary>The largest <see cref="TimeoutMs"/> accepted: about 24.8 days, what a timer can wait.</summary>
    public const long MaxTimeoutMs = int.MaxValue;

    /// <summary>The token every executor request of this task carries.</summary>
    public required string SessionToken { get; init; }

    /// <summary>The Agor session the task belongs to.</summary>
    public required string SessionId { get; init; }

    /// <summary>The task to run.</summary>
    public required string TaskId { get; init; }

    /// <summary>The user's prompt.</summary>
    public required string Prompt { get; init; }

    /// <summary>The agent's working directory.</summary>
    public required string Cwd { get; init; }

    /// <summary>Tools the agent may use at all; empty means the agent's defaults. Never pre-approval.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>
    /// Tools the daemon explicitly lets run without asking (Claude Code's <c>--allowedTools</c>);
    /// empty unless the daemon decided so, and audited where it is set. Everything else is asked.
    /// </summary>
    public IReadOnlyList<string> PreApprovedTools { get; init; } = [];

    /// <summary><c>default</c>, <c>acceptEdits</c>, <c>bypassPermissions</c> or <c>plan</c>.</summary>
    public string PermissionMode { get; init; } = "default";

    /// <summary>The longest the task may run; 0 means no limit; at most <see cref="MaxTimeoutMs"/>.</summary>
    public long TimeoutMs { get; init; }

    /// <summary>How to confine the agent; null: unconfined (as with <c>sandbox.mode: off</c>).</summary>
    public SandboxSpec? Sandbox { get; init; }

    /// <inheritdoc />
    public string? Validate() =>
        TimeoutMs is < 0 or > MaxTimeoutMs ? $"'timeout_ms' must be between 0 and {MaxTimeoutMs}"
        : Sandbox?.Validate() is { } sandboxProblem ? sandboxProblem
        : Tools is null || Tools.Contains(null!) ? "'tools' must be an array of strings"
        : PermissionMode is null ? "'permission_mode' must be a string"
        : null;
}

/// <summary>Result of <c>execute_prompt</c>: the task was accepted; its outcome comes by <c>report_completion</c>.</summary>
public sealed record ExecutePromptResult(bool Accepted);

/// <summary>Params of <c>stop_task</c>.</summary>
public sealed record StopTaskParams
{
    /// <summary>The task's session token.</summary>
    public required string SessionToken { get; init; }

    /// <summary>The task to stop.</summary>
    public required string TaskId { get; init; }

    /// <summary>Why, for the logs.</summary>
    public string? Reason { get; init; }
}

/// <summary>Result of <c>stop_task</c>.</summary>
public sealed record StopTaskResult(bool Stopped, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null);

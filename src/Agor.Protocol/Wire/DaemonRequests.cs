using System.Text.Json;
using Agor.Protocol.JsonRpc;
using System.Text.Json.Serialization;

namespace Agor.Protocol.Wire;

// Executor -> daemon requests and notifications. Every one carries the task's session token.

/// <summary>Params of <c>get_execution_context</c>.</summary>
public sealed record GetExecutionContextParams(string SessionToken);

/// <summary>What the executor needs to start the agent.</summary>
public sealed record TaskExecutionContext
{
    /// <summary>The Agor session.</summary>
    public required string SessionId { get; init; }

    /// <summary>The task.</summary>
    public required string TaskId { get; init; }

    /// <summary>The agent kind, <c>claude-code</c>.</summary>
    public string Agent { get; init; } = "claude-code";

    /// <summary>The agent's executable.</summary>
    public required string AgentPath { get; init; }

    /// <summary>The model, when the session names one.</summary>
    public string? Model { get; init; }

    /// <summary>The agent's own session id to resume, from the session's previous task.</summary>
    public string? AgentSessionId { get; init; }

    /// <summary>The permission mode of this task.</summary>
    public string PermissionMode { get; init; } = "default";

    /// <summary>Tools the agent may use.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Extra non-secret environment variables for the agent process.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }
}

/// <summary>Params of <c>get_api_key</c>.</summary>
public sealed record GetApiKeyParams(string SessionToken, string Service);

/// <summary>An API key handed out just in time.</summary>
public sealed record ApiKeyResult(string ApiKey, string? BaseUrl = null, long? ExpiresAt = null);

/// <summary>Params of <c>request_permission</c>.</summary>
public sealed record RequestPermissionParams
{
    /// <summary>The task's session token.</summary>
    public required string SessionToken { get; init; }

    /// <summary>The task.</summary>
    public required string TaskId { get; init; }

    /// <summary>The tool the agent wants to run.</summary>
    public required string ToolName { get; init; }

    /// <summary>The tool's input, as the agent gave it.</summary>
    public JsonElement ToolInput { get; init; }

    /// <summary>The agent's id of the tool call.</summary>
    public string? ToolUseId { get; init; }
}

/// <summary>The daemon's decision on a permission request.</summary>
public sealed record PermissionDecision(bool Approved, string? Reason = null);

/// <summary>Token usage of a task.</summary>
public sealed record TokenUsage(long InputTokens, long OutputTokens, long CacheCreationInputTokens = 0, long CacheReadInputTokens = 0);

/// <summary>An error with a stable code and a message for people.</summary>
public sealed record ErrorInfo(string Code, string Message);

/// <summary>Params of <c>report_completion</c>.</summary>
public sealed record ReportCompletionParams
{
    /// <summary>The task's session token; it is revoked once acknowledged.</summary>
    public required string SessionToken { get; init; }

    /// <summary>The task.</summary>
    public required string TaskId { get; init; }

    /// <summary><c>completed</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Tokens the task used.</summary>
    public TokenUsage? TokenUsage { get; init; }

    /// <summary>Cost in US dollars as the agent computed it.</summary>
    public double? CostUsd { get; init; }

    /// <summary>The agent's own session id, to resume in the next task.</summary>
    public string? AgentSessionId { get; init; }

    /// <summary>Why the task failed.</summary>
    public ErrorInfo? Error { get; init; }

    /// <summary>How the agent was confined; null from an executor that never started one.</summary>
    public SandboxReport? Sandbox { get; init; }
}

/// <summary>Result of <c>report_completion</c>.</summary>
public sealed record AcknowledgedResult(bool Acknowledged);

/// <summary>Params of the <c>report_message</c> notification.</summary>
public sealed record ReportMessageParams : IValidatedParams
{
    /// <summary>The task's session token.</summary>
    public required string SessionToken { get; init; }

    /// <summary>The task.</summary>
    public required string TaskId { get; init; }

    /// <summary>1, 2, 3... per task, without gaps.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the executor saw the event, epoch milliseconds.</summary>
    public long Timestamp { get; init; }

    /// <summary>One of <see cref="EventTypes"/>.</summary>
    public required string EventType { get; init; }

    /// <summary>The event as the agent gave it. Required: a notification without it is dropped before any handler runs.</summary>
    public required JsonElement EventData { get; init; }

    /// <inheritdoc />
    public string? Validate() => EventData.ValueKind == JsonValueKind.Undefined ? "missing required 'event_data'" : null;
}

/// <summary>Progress of a task.</summary>
public sealed record ProgressInfo(string? Message = null, double? Percent = null);

/// <summary>Params of the <c>report_progress</c> notification.</summary>
public sealed record ReportProgressParams(string SessionToken, string TaskId, ProgressInfo Progress);

/// <summary>Params of the <c>report_error</c> notification: a non-fatal error.</summary>
public sealed record ReportErrorParams(string SessionToken, string TaskId, ErrorInfo Error);

/// <summary>The <c>event_type</c> values of <c>report_message</c>.</summary>
public static class EventTypes
{
    /// <summary>A complete assistant message (one content block).</summary>
    public const string AssistantMessage = "assistant_message";

    /// <summary>A user message, typically carrying tool results.</summary>
    public const string UserMessage = "user_message";

    /// <summary>A tool call.</summary>
    public const string ToolCall = "tool_call";

    /// <summary>A tool result.</summary>
    public const string ToolResult = "tool_result";

    /// <summary>A streaming delta of a content block: broadcast, not stored.</summary>
    public const string ContentBlockDelta = "content_block_delta";

    /// <summary>A chunk of the model's thinking.</summary>
    public const string ThinkingChunk = "thinking_chunk";

    /// <summary>A system frame of the agent.</summary>
    public const string System = "system";

    /// <summary>Token usage.</summary>
    public const string Usage = "usage";

    /// <summary>An error.</summary>
    public const string Error = "error";
}

/// <summary>The task statuses of <c>report_completion</c>.</summary>
public static class CompletionStatus
{
    /// <summary>The agent finished.</summary>
    public const string Completed = "completed";

    /// <summary>The agent failed; see the error.</summary>
    public const string Failed = "failed";

    /// <summary>The task was stopped.</summary>
    public const string Cancelled = "cancelled";
}

using Agor.Protocol.Wire;

namespace Agor.Daemon.Domain;

/// <summary>One prompt of a session and what became of it.</summary>
internal sealed record AgorTask
{
    public required string Id { get; init; }

    public required string SessionId { get; init; }

    public required string Prompt { get; init; }

    public required string PermissionMode { get; init; }

    /// <summary>The model the agent is asked for: the prompt's, else the session's; null leaves the agent's default.</summary>
    public string? Model { get; init; }

    public string Status { get; init; } = TaskStatuses.Queued;

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? ExecutorId { get; init; }

    public TokenUsage? TokenUsage { get; init; }

    public double? CostUsd { get; init; }

    public ErrorInfo? Error { get; init; }

    public string? AgentSessionId { get; init; }

    /// <summary>How the agent was confined, as its executor reported; null when it never said.</summary>
    public SandboxReport? Sandbox { get; init; }

    public bool IsFinished => TaskStatuses.IsFinal(Status);
}

/// <summary>The task statuses of SPEC.</summary>
internal static class TaskStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string AwaitingPermission = "awaiting_permission";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string status) => status is Completed or Failed or Cancelled;
}

namespace Agor.Daemon.Domain;

/// <summary>A question to the user: may the agent run this tool?</summary>
internal sealed record PermissionRequest
{
    public required string Id { get; init; }

    public required string SessionId { get; init; }

    public required string TaskId { get; init; }

    public required string ToolName { get; init; }

    /// <summary>The tool's input as JSON text.</summary>
    public required string ToolInput { get; init; }

    public string? ToolUseId { get; init; }

    public string Status { get; init; } = PermissionStatuses.Pending;

    public string? Reason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }
}

/// <summary>Where a permission request stands.</summary>
internal static class PermissionStatuses
{
    public const string Pending = "pending";
    public const string Allowed = "allowed";
    public const string Denied = "denied";
    public const string TimedOut = "timed_out";
    public const string Cancelled = "cancelled";
}

using System.Text.Json;

namespace Agor.Daemon.Events;

/// <summary>One live event for SSE clients. <see cref="Id"/> is 0 for transient events (deltas), which are never stored.</summary>
internal sealed record DaemonEvent(long Id, string Type, string? SessionId, JsonElement Data);

/// <summary>The SSE event types of SPEC.</summary>
internal static class EventNames
{
    public const string TaskUpdated = "task.updated";
    public const string MessageCreated = "message.created";
    public const string MessageDelta = "message.delta";
    public const string PermissionRequested = "permission.requested";
    public const string PermissionResolved = "permission.resolved";
    public const string ExecutorUpdated = "executor.updated";
}

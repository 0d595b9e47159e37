using System.Text.Json;

namespace Agor.Daemon.Events;

/// <summary>
/// One live event for SSE clients. <see cref="Id"/> is 0 for transient events (deltas), which are
/// never stored. <see cref="Size"/> is what the event costs a client's queue, in bytes (its JSON
/// and type), so that a queue can be bounded in memory and not only in events.
/// </summary>
internal sealed record DaemonEvent(long Id, string Type, string? SessionId, JsonElement Data, int Size)
{
    /// <summary>What an event costs beyond its JSON and type: the record, the element, the SSE framing.</summary>
    public const int Overhead = 64;

    public static int SizeOf(string type, int jsonBytes) => jsonBytes + type.Length + Overhead;
}

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

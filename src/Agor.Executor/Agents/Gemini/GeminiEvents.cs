using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Executor.Agents.Gemini;

/// <summary>Maps ACP <c>session/update</c> kinds to the <c>event_type</c>s of <c>report_message</c>.</summary>
internal static class GeminiEvents
{
    /// <summary>The text the CLI emits as a message chunk when the session's mode changes: protocol, not the model's words.</summary>
    private const string ModeUpdatePrefix = "[MODE_UPDATE]";

    /// <summary>The <c>sessionUpdate</c> kind of a <c>session/update</c> params object, or null.</summary>
    public static string? Kind(JsonElement parameters) =>
        parameters.TryGetProperty("update", out var update) && update.ValueKind == JsonValueKind.Object
            && update.TryGetProperty("sessionUpdate", out var kind) && kind.ValueKind == JsonValueKind.String
            ? kind.GetString()
            : null;

    /// <summary>The text of a chunk update, or null.</summary>
    public static string? ChunkText(JsonElement parameters) =>
        parameters.TryGetProperty("update", out var update) && update.TryGetProperty("content", out var content)
            && content.ValueKind == JsonValueKind.Object && content.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString()
            : null;

    public static bool IsModeUpdate(string? text) => text is not null && text.StartsWith(ModeUpdatePrefix, StringComparison.Ordinal);

    /// <summary>The event type of an update kind; a tool update is a result once the tool has finished.</summary>
    public static string Classify(string? kind, JsonElement parameters) => kind switch
    {
        "agent_message_chunk" => EventTypes.ContentBlockDelta,
        "agent_thought_chunk" => EventTypes.ThinkingChunk,
        "user_message_chunk" => EventTypes.UserMessage,
        "tool_call" => EventTypes.ToolCall,
        "tool_call_update" => IsFinished(parameters) ? EventTypes.ToolResult : EventTypes.ToolCall,
        _ => EventTypes.System,
    };

    private static bool IsFinished(JsonElement parameters) =>
        parameters.TryGetProperty("update", out var update) && update.TryGetProperty("status", out var status)
        && status.ValueKind == JsonValueKind.String && status.GetString() is "completed" or "failed";
}

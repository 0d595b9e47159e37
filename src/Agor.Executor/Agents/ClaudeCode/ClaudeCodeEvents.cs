using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Executor.Agents.ClaudeCode;

/// <summary>Maps Claude Code's stdout frames to the <c>event_type</c>s of <c>report_message</c>.</summary>
internal static class ClaudeCodeEvents
{
    /// <summary>The event type of a frame, or null for frames that are protocol, not content (control traffic).</summary>
    public static string? Classify(JsonElement frame)
    {
        var type = frame.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        return type switch
        {
            "stream_event" => ClassifyStreamEvent(frame),
            "assistant" => HasBlock(frame, "tool_use") ? EventTypes.ToolCall : EventTypes.AssistantMessage,
            "user" => HasBlock(frame, "tool_result") ? EventTypes.ToolResult : EventTypes.UserMessage,
            "result" => EventTypes.Usage,
            "control_request" or "control_response" or "control_cancel_request" => null,
            _ => EventTypes.System,
        };
    }

    private static string ClassifyStreamEvent(JsonElement frame)
    {
        if (!frame.TryGetProperty("event", out var streamEvent) || !streamEvent.TryGetProperty("type", out var eventType))
        {
            return EventTypes.ContentBlockDelta;
        }

        if (eventType.ValueEquals("message_delta"u8))
        {
            return EventTypes.Usage;
        }

        // Every other partial frame (block starts and stops, text and tool-input deltas) is transient
        // streaming state: the complete message follows as its own frame.
        return streamEvent.TryGetProperty("delta", out var delta)
            && delta.TryGetProperty("type", out var deltaType)
            && deltaType.ValueEquals("thinking_delta"u8)
            ? EventTypes.ThinkingChunk
            : EventTypes.ContentBlockDelta;
    }

    private static bool HasBlock(JsonElement frame, string blockType)
    {
        if (!frame.TryGetProperty("message", out var message) || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var block in content.EnumerateArray())
        {
            if (block.TryGetProperty("type", out var type) && type.ValueEquals(blockType))
            {
                return true;
            }
        }

        return false;
    }
}

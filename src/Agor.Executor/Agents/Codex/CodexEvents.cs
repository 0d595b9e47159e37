using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Executor.Agents.Codex;

/// <summary>Maps the app-server's notifications to the <c>event_type</c>s of <c>report_message</c>; the notification itself is the event's data.</summary>
internal static class CodexEvents
{
    /// <summary>The event type of a notification, or null for protocol traffic that is no content.</summary>
    public static string? Classify(string method, JsonElement parameters) => method switch
    {
        "item/agentMessage/delta" or "item/commandExecution/outputDelta" or "item/fileChange/outputDelta" or "item/plan/delta" => EventTypes.ContentBlockDelta,
        "item/reasoning/textDelta" or "item/reasoning/summaryTextDelta" or "item/reasoning/summaryPartAdded" => EventTypes.ThinkingChunk,
        "item/started" => IsTool(ItemType(parameters)) ? EventTypes.ToolCall : EventTypes.System,
        "item/completed" => ItemType(parameters) switch
        {
            "agentMessage" => EventTypes.AssistantMessage,
            "userMessage" => EventTypes.UserMessage,
            "reasoning" => EventTypes.ThinkingChunk,
            var type when IsTool(type) => EventTypes.ToolResult,
            _ => EventTypes.System,
        },
        "thread/tokenUsage/updated" => EventTypes.Usage,
        "error" => EventTypes.Error,
        "serverRequest/resolved" => null,
        _ => EventTypes.System,
    };

    /// <summary>The <c>type</c> of the notification's <c>item</c>.</summary>
    public static string? ItemType(JsonElement parameters) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("item", out var item) && item.ValueKind == JsonValueKind.Object
            && item.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()
            : null;

    private static bool IsTool(string? itemType) =>
        itemType is "commandExecution" or "fileChange" or "mcpToolCall" or "dynamicToolCall" or "webSearch" or "imageView" or "collabAgentToolCall";
}

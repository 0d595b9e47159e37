using System.Text.Json;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// Which Claude Code stdout frames end a measurement. Both sides use the same test on the same
/// frame: the baseline on the line it read, the executor side on the <c>event_data</c> of a
/// <c>report_message</c> (the frame as the agent gave it).
/// </summary>
internal static class StreamFrames
{
    /// <summary>
    /// A partial-message frame carrying a <c>content_block_delta</c>: the first streamed text. The
    /// executor files every other partial frame (message_start, content_block_start/stop) under the
    /// event type <c>content_block_delta</c> too; those come before the text and do not count.
    /// </summary>
    public static bool IsContentBlockDelta(JsonElement frame) =>
        frame.ValueKind == JsonValueKind.Object
        && frame.TryGetProperty("type", out var type) && type.ValueEquals("stream_event"u8)
        && frame.TryGetProperty("event", out var streamEvent) && streamEvent.ValueKind == JsonValueKind.Object
        && streamEvent.TryGetProperty("type", out var eventType) && eventType.ValueEquals("content_block_delta"u8);

    /// <summary>The <c>result</c> frame that ends the turn.</summary>
    public static bool IsResult(JsonElement frame) =>
        frame.ValueKind == JsonValueKind.Object && frame.TryGetProperty("type", out var type) && type.ValueEquals("result"u8);

    /// <summary>The <c>subtype</c> of a result frame (<c>success</c>, <c>error_during_execution</c>...).</summary>
    public static string? ResultSubtype(JsonElement frame) =>
        frame.TryGetProperty("subtype", out var subtype) && subtype.ValueKind == JsonValueKind.String ? subtype.GetString() : null;
}

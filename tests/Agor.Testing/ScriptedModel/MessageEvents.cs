using System.Buffers;
using System.Text.Json;

namespace Agor.Testing.ScriptedModel;

/// <summary>
/// Formats the JSON of the Messages API: the payloads of the streaming events, the non-streaming
/// message, errors and token counts. No I/O.
/// </summary>
internal static class MessageEvents
{
    public static byte[] MessageStart(string messageId, string model, int inputTokens) => Write(w =>
    {
        w.WriteString("type", "message_start");
        w.WriteStartObject("message");
        WriteMessageHeader(w, messageId, model);
        w.WriteStartArray("content");
        w.WriteEndArray();
        w.WriteNull("stop_reason");
        w.WriteNull("stop_sequence");
        WriteUsage(w, inputTokens, outputTokens: 1);
        w.WriteEndObject();
    });

    public static byte[] Ping() => Write(w => w.WriteString("type", "ping"));

    public static byte[] TextBlockStart(int index) => Write(w =>
    {
        WriteBlockEventHeader(w, "content_block_start", index);
        w.WriteStartObject("content_block");
        w.WriteString("type", "text");
        w.WriteString("text", "");
        w.WriteEndObject();
    });

    public static byte[] ToolUseBlockStart(int index, ToolUseBlock block) => Write(w =>
    {
        WriteBlockEventHeader(w, "content_block_start", index);
        w.WriteStartObject("content_block");
        w.WriteString("type", "tool_use");
        w.WriteString("id", block.Id);
        w.WriteString("name", block.Name);
        w.WriteStartObject("input");
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static byte[] TextDelta(int index, string text) => Write(w =>
    {
        WriteBlockEventHeader(w, "content_block_delta", index);
        w.WriteStartObject("delta");
        w.WriteString("type", "text_delta");
        w.WriteString("text", text);
        w.WriteEndObject();
    });

    public static byte[] InputJsonDelta(int index, string partialJson) => Write(w =>
    {
        WriteBlockEventHeader(w, "content_block_delta", index);
        w.WriteStartObject("delta");
        w.WriteString("type", "input_json_delta");
        w.WriteString("partial_json", partialJson);
        w.WriteEndObject();
    });

    public static byte[] BlockStop(int index) => Write(w => WriteBlockEventHeader(w, "content_block_stop", index));

    public static byte[] MessageDelta(string stopReason, int outputTokens) => Write(w =>
    {
        w.WriteString("type", "message_delta");
        w.WriteStartObject("delta");
        w.WriteString("stop_reason", stopReason);
        w.WriteNull("stop_sequence");
        w.WriteEndObject();
        w.WriteStartObject("usage");
        w.WriteNumber("output_tokens", outputTokens);
        w.WriteEndObject();
    });

    public static byte[] MessageStop() => Write(w => w.WriteString("type", "message_stop"));

    /// <summary>The whole message of a non-streaming answer.</summary>
    public static byte[] Message(string messageId, string model, MessageTurn turn, string stopReason, int inputTokens) => Write(w =>
    {
        WriteMessageHeader(w, messageId, model);
        w.WriteStartArray("content");
        foreach (var block in turn.Blocks)
        {
            w.WriteStartObject();
            switch (block)
            {
                case TextBlock text:
                    w.WriteString("type", "text");
                    w.WriteString("text", text.FullText);
                    break;
                case ToolUseBlock toolUse:
                    w.WriteString("type", "tool_use");
                    w.WriteString("id", toolUse.Id);
                    w.WriteString("name", toolUse.Name);
                    w.WritePropertyName("input");
                    w.WriteRawValue(toolUse.InputJson);
                    break;
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("stop_reason", stopReason);
        w.WriteNull("stop_sequence");
        WriteUsage(w, inputTokens, TokenEstimate.Output(turn));
    });

    public static byte[] Error(string errorType, string message, string requestId) => Write(w =>
    {
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("type", errorType);
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteString("request_id", requestId);
    });

    public static byte[] TokenCount(int inputTokens) => Write(w => w.WriteNumber("input_tokens", inputTokens));

    private static void WriteMessageHeader(Utf8JsonWriter w, string messageId, string model)
    {
        w.WriteString("id", messageId);
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", model);
    }

    private static void WriteBlockEventHeader(Utf8JsonWriter w, string type, int index)
    {
        w.WriteString("type", type);
        w.WriteNumber("index", index);
    }

    private static void WriteUsage(Utf8JsonWriter w, int inputTokens, int outputTokens)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", inputTokens);
        w.WriteNumber("cache_creation_input_tokens", 0);
        w.WriteNumber("cache_read_input_tokens", 0);
        w.WriteNumber("output_tokens", outputTokens);
        w.WriteString("service_tier", "standard");
        w.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

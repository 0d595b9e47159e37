using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Agor.Executor.Agents.ClaudeCode;

/// <summary>The lines the executor writes to Claude Code's stdin. Each is one JSON object; never anything else (a non-JSON line kills the CLI).</summary>
internal static class ClaudeCodeFrames
{
    public static string UserMessage(string prompt) => Write(writer =>
    {
        writer.WriteString("type", "user");
        writer.WriteString("session_id", string.Empty);
        writer.WriteStartObject("message");
        writer.WriteString("role", "user");
        writer.WriteStartArray("content");
        writer.WriteStartObject();
        writer.WriteString("type", "text");
        writer.WriteString("text", prompt);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteNull("parent_tool_use_id");
    });

    /// <summary>Lets the tool run with its input unchanged.</summary>
    public static string Allow(string requestId, JsonElement input) => ControlResponse(requestId, writer =>
    {
        writer.WriteString("behavior", "allow");
        writer.WritePropertyName("updatedInput");
        input.WriteTo(writer);
    });

    /// <summary>Refuses the tool; the model is told <paramref name="message"/> and the turn goes on.</summary>
    public static string Deny(string requestId, string message) => ControlResponse(requestId, writer =>
    {
        writer.WriteString("behavior", "deny");
        writer.WriteString("message", message);
    });

    /// <summary>Answers a control request the executor does not handle.</summary>
    public static string Unsupported(string requestId, string subtype) => Write(writer =>
    {
        writer.WriteString("type", "control_response");
        writer.WriteStartObject("response");
        writer.WriteString("subtype", "error");
        writer.WriteString("request_id", requestId);
        writer.WriteString("error", $"Unsupported control request subtype: {subtype}");
        writer.WriteEndObject();
    });

    public static string Interrupt(string requestId) => Write(writer =>
    {
        writer.WriteString("type", "control_request");
        writer.WriteString("request_id", requestId);
        writer.WriteStartObject("request");
        writer.WriteString("subtype", "interrupt");
        writer.WriteEndObject();
    });

    private static string ControlResponse(string requestId, Action<Utf8JsonWriter> response) => Write(writer =>
    {
        writer.WriteString("type", "control_response");
        writer.WriteStartObject("response");
        writer.WriteString("subtype", "success");
        writer.WriteString("request_id", requestId);
        writer.WriteStartObject("response");
        response(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Agor.Executor.Agents.Gemini;

/// <summary>The JSON-RPC 2.0 lines the executor writes to Gemini's ACP stdin, one object per line.</summary>
internal static class AcpFrames
{
    public static string Request(long id, string method, Action<Utf8JsonWriter> parameters) => Write(writer =>
    {
        writer.WriteNumber("id", id);
        writer.WriteString("method", method);
        writer.WriteStartObject("params");
        parameters(writer);
        writer.WriteEndObject();
    });

    public static string Notification(string method, Action<Utf8JsonWriter> parameters) => Write(writer =>
    {
        writer.WriteString("method", method);
        writer.WriteStartObject("params");
        parameters(writer);
        writer.WriteEndObject();
    });

    public static string Result(JsonElement id, Action<Utf8JsonWriter> result) => Write(writer =>
    {
        writer.WritePropertyName("id");
        id.WriteTo(writer);
        writer.WriteStartObject("result");
        result(writer);
        writer.WriteEndObject();
    });

    public static string Error(JsonElement id, int code, string message) => Write(writer =>
    {
        writer.WritePropertyName("id");
        id.WriteTo(writer);
        writer.WriteStartObject("error");
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        writer.WriteEndObject();
    });

    /// <summary>The client declares no file-system or terminal capability: the CLI then works on disk itself, inside the sandbox.</summary>
    public static void Initialize(Utf8JsonWriter writer)
    {
        writer.WriteNumber("protocolVersion", 1);
        writer.WriteStartObject("clientCapabilities");
        writer.WriteEndObject();
        writer.WriteStartObject("clientInfo");
        writer.WriteString("name", "agor-executor");
        writer.WriteString("version", "1");
        writer.WriteEndObject();
    }

    /// <summary>Params of <c>session/new</c> and, with a session id, <c>session/load</c>.</summary>
    public static Action<Utf8JsonWriter> Session(string cwd, string? sessionId) => writer =>
    {
        if (sessionId is not null)
        {
            writer.WriteString("sessionId", sessionId);
        }

        writer.WriteString("cwd", cwd);
        writer.WriteStartArray("mcpServers");
        writer.WriteEndArray();
    };

    public static Action<Utf8JsonWriter> Prompt(string sessionId, string prompt) => writer =>
    {
        writer.WriteString("sessionId", sessionId);
        writer.WriteStartArray("prompt");
        writer.WriteStartObject();
        writer.WriteString("type", "text");
        writer.WriteString("text", prompt);
        writer.WriteEndObject();
        writer.WriteEndArray();
    };

    public static Action<Utf8JsonWriter> Cancel(string sessionId) => writer => writer.WriteString("sessionId", sessionId);

    /// <summary>The answer to <c>session/request_permission</c>: an option chosen, or null for the ACP <c>cancelled</c> outcome.</summary>
    public static Action<Utf8JsonWriter> Permission(string? optionId) => writer =>
    {
        writer.WriteStartObject("outcome");
        if (optionId is null)
        {
            writer.WriteString("outcome", "cancelled");
        }
        else
        {
            writer.WriteString("outcome", "selected");
            writer.WriteString("optionId", optionId);
        }

        writer.WriteEndObject();
    };

    /// <summary>A complete assistant message assembled from the turn's text chunks (the chunks themselves are transient).</summary>
    public static JsonElement AssistantMessage(string text)
    {
        var json = Write(writer =>
        {
            writer.WriteString("type", "assistant_message");
            writer.WriteStartObject("content");
            writer.WriteString("type", "text");
            writer.WriteString("text", text);
            writer.WriteEndObject();
        }, jsonRpc: false);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Write(Action<Utf8JsonWriter> body, bool jsonRpc = true)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (jsonRpc)
            {
                writer.WriteString("jsonrpc", "2.0");
            }

            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

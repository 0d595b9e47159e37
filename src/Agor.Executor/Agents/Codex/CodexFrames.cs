using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Agor.Executor.Agents.Codex;

/// <summary>The JSON-RPC lines the executor writes to <c>codex app-server</c>: one object each, written with <see cref="Utf8JsonWriter"/> (no reflection: NativeAOT).</summary>
internal static class CodexFrames
{
    /// <summary>
    /// Codex's own sandbox mode: off. The agent already runs in our bwrap sandbox (or unconfined, as
    /// the daemon decided); Codex's would be a second bwrap nested inside it, which needs its helper
    /// links and user namespaces and adds nothing to what ours enforces.
    /// </summary>
    public const string Sandbox = "danger-full-access";

    /// <summary><c>{}</c>: the params of a message that has none (or not an object), so that readers need not check.</summary>
    public static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>The message's <c>params</c> when it is an object, else <see cref="EmptyObject"/>.</summary>
    public static JsonElement ParamsOf(JsonElement message) =>
        message.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Object ? parameters : EmptyObject;

    public static string Request(long id, string method, Action<Utf8JsonWriter> parameters) => Write(writer =>
    {
        writer.WriteNumber("id", id);
        writer.WriteString("method", method);
        writer.WriteStartObject("params");
        parameters(writer);
        writer.WriteEndObject();
    });

    public static string Notification(string method) => Write(writer => writer.WriteString("method", method));

    /// <summary>The answer to a request of the server, echoing its id as it came (a number, possibly a string).</summary>
    public static string Response(JsonElement id, Action<Utf8JsonWriter> result) => Write(writer =>
    {
        writer.WritePropertyName("id");
        id.WriteTo(writer);
        writer.WriteStartObject("result");
        result(writer);
        writer.WriteEndObject();
    });

    public static string ErrorResponse(JsonElement id, int code, string message) => Write(writer =>
    {
        writer.WritePropertyName("id");
        id.WriteTo(writer);
        writer.WriteStartObject("error");
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        writer.WriteEndObject();
    });

    public static void Initialize(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("clientInfo");
        writer.WriteString("name", "agor");
        writer.WriteString("title", "Agor");
        writer.WriteString("version", typeof(CodexFrames).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
        writer.WriteEndObject();
        writer.WriteNull("capabilities");
    }

    /// <summary><c>thread/start</c> or <c>thread/resume</c>: the same working directory, approval policy and (no) sandbox.</summary>
    public static Action<Utf8JsonWriter> Thread(string? resumeThreadId, string cwd, string approvalPolicy, string? model) => writer =>
    {
        if (resumeThreadId is not null)
        {
            writer.WriteString("threadId", resumeThreadId);
        }

        writer.WriteString("cwd", cwd);
        writer.WriteString("approvalPolicy", approvalPolicy);
        writer.WriteString("sandbox", Sandbox);
        if (model is { Length: > 0 })
        {
            writer.WriteString("model", model);
        }
    };

    public static Action<Utf8JsonWriter> TurnStart(string threadId, string prompt) => writer =>
    {
        writer.WriteString("threadId", threadId);
        writer.WriteStartArray("input");
        writer.WriteStartObject();
        writer.WriteString("type", "text");
        writer.WriteString("text", prompt);
        writer.WriteStartArray("text_elements");
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();
    };

    public static Action<Utf8JsonWriter> TurnInterrupt(string threadId, string turnId) => writer =>
    {
        writer.WriteString("threadId", threadId);
        writer.WriteString("turnId", turnId);
    };

    /// <summary>Builds a JSON value with a writer, for tool inputs the runner composes.</summary>
    public static JsonElement Element(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

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

using System.Text.Json;

namespace Agor.Testing.ScriptedOpenAI;

/// <summary>A tool's output as the client sent it back: a <c>function_call_output</c> or <c>custom_tool_call_output</c> item.</summary>
public sealed record RecordedToolOutput(string Type, string CallId, string Output);

/// <summary>One request as the scripted OpenAI server received it.</summary>
public sealed class RecordedResponsesRequest
{
    internal RecordedResponsesRequest(int sequence, string method, string path, IReadOnlyDictionary<string, string> headers, string bodyText)
    {
        Sequence = sequence;
        Method = method;
        Path = path;
        Headers = headers;
        BodyText = bodyText;
        try
        {
            Body = bodyText.Length > 0 ? JsonDocument.Parse(bodyText).RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            Body = null;
        }
    }

    /// <summary>0, 1, 2... in order of arrival.</summary>
    public int Sequence { get; }

    /// <summary>When the request arrived (its body read), by the wall clock.</summary>
    public DateTimeOffset ReceivedAt { get; } = DateTimeOffset.UtcNow;

    public string Method { get; }

    public string Path { get; }

    /// <summary>Header names lower-cased; repeated headers joined with a comma.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public string BodyText { get; }

    public JsonElement? Body { get; }

    /// <summary>The <c>authorization</c> header, or null.</summary>
    public string? Authorization => Headers.GetValueOrDefault("authorization");

    /// <summary>True for the streaming <c>POST …/responses</c> that took a scripted turn.</summary>
    public bool IsResponses => Method == "POST" && Path.EndsWith("/responses", StringComparison.Ordinal);

    /// <summary>The body's <c>input</c> items.</summary>
    public IReadOnlyList<JsonElement> InputItems =>
        Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Array
            ? [.. input.EnumerateArray()]
            : [];

    /// <summary>The tool outputs sent back in this request.</summary>
    public IReadOnlyList<RecordedToolOutput> ToolOutputs =>
        [.. InputItems
            .Where(i => Text(i, "type") is "function_call_output" or "custom_tool_call_output")
            .Select(i => new RecordedToolOutput(Text(i, "type")!, Text(i, "call_id") ?? string.Empty, OutputText(i)))];

    /// <summary>The texts of the user messages in the input, in order (Codex adds its own environment context among them).</summary>
    public IReadOnlyList<string> UserTexts => TextsOf("user");

    /// <summary>The texts of the assistant messages in the input (the earlier turns' answers).</summary>
    public IReadOnlyList<string> AssistantTexts => TextsOf("assistant");

    private List<string> TextsOf(string role) =>
        [.. InputItems
            .Where(i => Text(i, "type") == "message" && Text(i, "role") == role)
            .SelectMany(i => i.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.Array ? c.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Select(c => Text(c, "text"))
            .OfType<string>()];

    private static string OutputText(JsonElement item)
    {
        if (!item.TryGetProperty("output", out var output))
        {
            return string.Empty;
        }

        // The output is a string, or content items with text.
        return output.ValueKind switch
        {
            JsonValueKind.String => output.GetString()!,
            JsonValueKind.Array => string.Concat(output.EnumerateArray().Select(c => Text(c, "text"))),
            _ => output.GetRawText(),
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

using System.Text.Json;

namespace Agor.Testing.ScriptedGemini;

/// <summary>One request the scripted Gemini server received.</summary>
public sealed record GeminiRequest
{
    /// <summary>Arrival order, from 0 (assigned by the recorder).</summary>
    public required int Index { get; init; }

    /// <summary>When the request arrived (its body read), by the wall clock.</summary>
    public DateTimeOffset ReceivedAt { get; init; } = DateTimeOffset.UtcNow;

    public required string Method { get; init; }

    /// <summary>The path and query, e.g. <c>/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse</c>.</summary>
    public required string Target { get; init; }

    /// <summary>The model named in the path, or null.</summary>
    public string? Model { get; init; }

    /// <summary><c>streamGenerateContent</c>, <c>generateContent</c>, or null for any other path.</summary>
    public string? Action { get; init; }

    /// <summary>Headers, names lower-cased (several values joined by ", ").</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The JSON body, or an undefined element when there was none or it was not JSON.</summary>
    public JsonElement Body { get; init; }

    /// <summary>The scripted turn this request took (0-based), for streaming calls only.</summary>
    public int? TurnIndex { get; init; }

    public string? ApiKey => Headers.GetValueOrDefault("x-goog-api-key");

    /// <summary>Every text part in <c>contents</c>, in order, with its role.</summary>
    public IReadOnlyList<(string Role, string Text)> Texts => [.. Parts().Where(p => p.Part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String).Select(p => (p.Role, p.Part.GetProperty("text").GetString()!))];

    /// <summary>Every <c>functionResponse</c> part sent back: the tool's name and its <c>response</c> as JSON text.</summary>
    public IReadOnlyList<(string Name, string Response)> FunctionResponses =>
        [.. Parts().Where(p => p.Part.TryGetProperty("functionResponse", out _)).Select(p => p.Part.GetProperty("functionResponse")).Select(f =>
            (f.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty, f.TryGetProperty("response", out var r) ? r.GetRawText() : string.Empty))];

    /// <summary>The names of the functions the CLI offered the model.</summary>
    public IReadOnlyList<string> OfferedFunctions
    {
        get
        {
            if (Body.ValueKind != JsonValueKind.Object || !Body.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            return [.. tools.EnumerateArray()
                .Where(t => t.TryGetProperty("functionDeclarations", out var d) && d.ValueKind == JsonValueKind.Array)
                .SelectMany(t => t.GetProperty("functionDeclarations").EnumerateArray())
                .Select(d => d.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty)];
        }
    }

    private IEnumerable<(string Role, JsonElement Part)> Parts()
    {
        if (Body.ValueKind != JsonValueKind.Object || !Body.TryGetProperty("contents", out var contents) || contents.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var content in contents.EnumerateArray())
        {
            var role = content.TryGetProperty("role", out var r) ? r.GetString() ?? string.Empty : string.Empty;
            if (content.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in parts.EnumerateArray())
                {
                    yield return (role, part);
                }
            }
        }
    }
}

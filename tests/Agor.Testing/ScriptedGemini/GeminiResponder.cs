using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Agor.Testing.ScriptedGemini;

/// <summary>Answers one request: records it, then plays a turn (SSE), answers a side call from its schema, or refuses.</summary>
internal sealed class GeminiResponder(GeminiScript script, GeminiRecorder recorder, CancellationToken stopping)
{
    private const long MaxBody = 8 * 1024 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        var http = context.Request;
        var target = http.Path.Value + http.QueryString.Value;
        var (model, action) = Route(http.Path.Value ?? string.Empty);
        var body = await ReadBodyAsync(http, context.RequestAborted);
        var streaming = http.Method == "POST" && action == "streamGenerateContent";
        var turnIndex = streaming ? recorder.TakeTurnIndex() : (int?)null;
        var turn = streaming ? script.TryTake() ?? GeminiTurn.Text("ok") : null;
        recorder.Add(new GeminiRequest
        {
            Index = -1,
            Method = http.Method,
            Target = target,
            Model = model,
            Action = action,
            Headers = http.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value.ToArray()), StringComparer.Ordinal),
            Body = body,
            TurnIndex = turnIndex,
        });

        if (turn is not null)
        {
            await StreamAsync(context, turn, model ?? "unknown");
        }
        else if (http.Method == "POST" && action == "generateContent" && Schema(body) is { } schema)
        {
            await WriteJsonAsync(context, 200, Answer(SampleOf(schema).ToJsonString(), model ?? "unknown", final: true));
        }
        else
        {
            await WriteJsonAsync(context, 400, ErrorBody(400, $"The scripted Gemini server does not answer {http.Method} {target}."));
        }
    }

    private async Task StreamAsync(HttpContext context, GeminiTurn turn, string model)
    {
        if (turn.ErrorStatus is { } status)
        {
            await WriteJsonAsync(context, status, ErrorBody(status, $"Scripted error {status}."));
            return;
        }

        using var cut = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        try
        {
            await response.StartAsync(cut.Token);
            for (var i = 0; i < turn.Chunks.Count; i++)
            {
                if (i > 0 && turn.DelayBetweenChunks > TimeSpan.Zero)
                {
                    await Task.Delay(turn.DelayBetweenChunks, cut.Token);
                }

                var parts = new JsonArray([.. turn.Chunks[i].Select(p => (JsonNode)p.DeepClone())]);
                var chunk = Chunk(parts, model, i == turn.Chunks.Count - 1 ? turn : null);
                await response.WriteAsync($"data: {chunk.ToJsonString()}\n\n", cut.Token);
                await response.Body.FlushAsync(cut.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client hung up (a cancelled turn) or the server is stopping.
        }
    }

    private static JsonObject Chunk(JsonArray parts, string model, GeminiTurn? last)
    {
        var candidate = new JsonObject { ["content"] = new JsonObject { ["role"] = "model", ["parts"] = parts }, ["index"] = 0 };
        var chunk = new JsonObject { ["candidates"] = new JsonArray(candidate), ["modelVersion"] = model };
        if (last is not null)
        {
            candidate["finishReason"] = "STOP";
            chunk["usageMetadata"] = new JsonObject
            {
                ["promptTokenCount"] = last.PromptTokens,
                ["candidatesTokenCount"] = last.CandidateTokens,
                ["totalTokenCount"] = last.PromptTokens + last.CandidateTokens,
            };
        }

        return chunk;
    }

    private static JsonObject Answer(string text, string model, bool final) =>
        Chunk(new JsonArray(new JsonObject { ["text"] = text }), model, final ? new GeminiTurn { Chunks = [], PromptTokens = 10, CandidateTokens = 5 } : null);

    /// <summary>A value of the schema's shape: enough for the CLI's router and title calls to parse.</summary>
    private static JsonNode SampleOf(JsonElement schema)
    {
        var type = schema.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.ToLowerInvariant() : "object";
        switch (type)
        {
            case "object":
                var result = new JsonObject();
                if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in properties.EnumerateObject())
                    {
                        result[property.Name] = SampleOf(property.Value);
                    }
                }

                return result;
            case "array":
                return new JsonArray();
            case "integer" or "number":
                return JsonValue.Create(1);
            case "boolean":
                return JsonValue.Create(false);
            default:
                return schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0
                    ? JsonValue.Create(values[0].ToString())
                    : JsonValue.Create("scripted");
        }
    }

    private static JsonElement? Schema(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("generationConfig", out var config) && config.ValueKind == JsonValueKind.Object
        && (config.TryGetProperty("responseJsonSchema", out var schema) || config.TryGetProperty("responseSchema", out schema)) && schema.ValueKind == JsonValueKind.Object
            ? schema
            : null;

    private static JsonObject ErrorBody(int status, string message) =>
        new() { ["error"] = new JsonObject { ["code"] = status, ["message"] = message, ["status"] = status == 400 ? "INVALID_ARGUMENT" : "INTERNAL" } };

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }

    private static (string? Model, string? Action) Route(string path)
    {
        const string prefix = "/models/";
        var at = path.IndexOf(prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return (null, null);
        }

        var rest = path[(at + prefix.Length)..];
        var colon = rest.LastIndexOf(':');
        return colon < 0 ? (rest, null) : (rest[..colon], rest[(colon + 1)..]);
    }

    private static async Task<JsonElement> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBody)
            {
                return default;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Agor.Daemon.Gateway.Upstreams;

/// <summary>The services the gateway speaks for, by their <c>credentials.&lt;service&gt;</c> names.</summary>
internal static class GatewayServices
{
    public const string Anthropic = "anthropic";
    public const string OpenAi = "openai";
    public const string Google = "google";

    public static readonly IReadOnlyList<string> All = [Anthropic, OpenAi, Google];

    public static bool IsKnown(string? service) => service is Anthropic or OpenAi or Google;
}

/// <summary>
/// One upstream API behind the gateway: the paths it forwards (nothing else opens with its key),
/// the one header its agent presents the placeholder in, the header the real key goes upstream
/// in, its refusal shape and its usage reader.
/// </summary>
internal abstract class ModelUpstream(Uri baseUrl, string apiKey)
{
    public abstract string Service { get; }

    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>What the refusal of an unserved path names, for people.</summary>
    public abstract string PathsServed { get; }

    /// <summary>True when <paramref name="path"/> is one this API forwards; <paramref name="model"/> is the model the path names, if any.</summary>
    public abstract bool Routes(string method, string path, out string? model);

    /// <summary>The placeholder as this API's clients send their key; any other header does not count.</summary>
    public abstract string? PresentedKey(HttpRequest request);

    /// <summary>Adds the real key to a request bound for this upstream (the incoming credential headers are already gone).</summary>
    public abstract void AddKey(HttpRequestMessage request);

    public abstract IUsageReader CreateUsageReader(string? pathModel);

    public abstract Task WriteErrorAsync(HttpContext context, int status, string type, string message);

    protected string ApiKey { get; } = apiKey;

    protected static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    public static string? SingleHeader(HttpRequest request, string name) =>
        request.Headers[name] is { Count: 1 } value ? value[0] : null;

    public static string? BearerToken(HttpRequest request) =>
        request.Headers.Authorization is { Count: 1 } authorization && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? value[7..].Trim()
            : null;

    /// <summary>A placeholder in any header one of the APIs uses, for refusals that name the task.</summary>
    public static IEnumerable<string?> AnyPresentedKey(HttpRequest request) =>
        [SingleHeader(request, "x-api-key"), BearerToken(request), SingleHeader(request, "x-goog-api-key")];
}

/// <summary>Reads one upstream's token counts from its answer: SSE <c>data:</c> payloads as they pass, or a whole JSON body.</summary>
internal interface IUsageReader
{
    string? Model { get; }

    bool SawUsage { get; }

    ModelUsage Usage { get; }

    void ReadEvent(JsonElement data);

    void ReadBody(JsonElement body);
}

/// <summary>Small helpers the usage readers share.</summary>
internal static class UsageJson
{
    /// <summary>A non-negative integer at <paramref name="name"/>, else <paramref name="current"/>.</summary>
    public static long Read(JsonElement parent, string name, long current) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) && count >= 0
            ? count
            : current;

    public static string? String(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Agor.Daemon.Gateway.Upstreams;

/// <summary>
/// Google's Gemini API, <c>POST /v1beta/models/{model}:streamGenerateContent</c> and
/// <c>:generateContent</c> only (the CLI's turns and its side calls), the key in <c>x-goog-api-key</c>.
/// </summary>
internal sealed partial class GeminiUpstream(Uri baseUrl, string apiKey) : ModelUpstream(baseUrl, apiKey)
{
    public const string DefaultBaseUrl = "https://generativelanguage.googleapis.com";

    public override string Service => GatewayServices.Google;

    public override string PathsServed => "POST /v1beta/models/{model}:streamGenerateContent and :generateContent";

    public override bool Routes(string method, string path, out string? model)
    {
        var match = ContentPath().Match(path);
        model = match.Success ? match.Groups["model"].Value : null;
        return match.Success && HttpMethods.IsPost(method);
    }

    public override string? PresentedKey(HttpRequest request) => SingleHeader(request, "x-goog-api-key");

    public override void AddKey(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation("x-goog-api-key", ApiKey);

    public override IUsageReader CreateUsageReader(string? pathModel) => new GeminiUsageReader(pathModel);

    private static readonly Dictionary<int, string> Statuses = new()
    {
        [400] = "INVALID_ARGUMENT", [401] = "UNAUTHENTICATED", [403] = "PERMISSION_DENIED", [404] = "NOT_FOUND", [413] = "INVALID_ARGUMENT", [502] = "UNAVAILABLE",
    };

    // Google's error shape; the CLI retries 429 and 5xx only, so a budget refusal (400) ends the turn.
    public override Task WriteErrorAsync(HttpContext context, int status, string type, string message) =>
        WriteJsonAsync(context, status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteNumber("code", status);
            writer.WriteString("message", message);
            writer.WriteString("status", Statuses.GetValueOrDefault(status, "UNKNOWN"));
            writer.WriteEndObject();
            writer.WriteEndObject();
        });

    // A model name of plain characters: nothing that could climb out of the path.
    [GeneratedRegex(@"^/v1beta/models/(?<model>[A-Za-z0-9][A-Za-z0-9._-]{0,127}):(streamGenerateContent|generateContent)$", RegexOptions.CultureInvariant)]
    private static partial Regex ContentPath();
}

/// <summary>
/// Gemini usage: every chunk may carry <c>usageMetadata</c> and the last one counts (a JSON answer:
/// its own, or the last element's of an array of chunks). <c>promptTokenCount</c> includes the
/// cached tokens, which are priced apart; thinking tokens are billed as output, so they are added to it.
/// </summary>
internal sealed class GeminiUsageReader(string? pathModel) : IUsageReader
{
    private ModelUsage _usage = ModelUsage.Zero;

    public string? Model { get; private set; } = pathModel;

    public bool SawUsage { get; private set; }

    public ModelUsage Usage => _usage;

    public void ReadEvent(JsonElement data) => ReadBody(data);

    public void ReadBody(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Array)
        {
            foreach (var chunk in body.EnumerateArray())
            {
                ReadBody(chunk);
            }

            return;
        }

        if (UsageJson.String(body, "modelVersion") is { } version)
        {
            Model = version;
        }

        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("usageMetadata", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var prompt = UsageJson.Read(usage, "promptTokenCount", 0);
        var cached = Math.Min(UsageJson.Read(usage, "cachedContentTokenCount", 0), prompt);
        var output = UsageJson.Read(usage, "candidatesTokenCount", 0) + UsageJson.Read(usage, "thoughtsTokenCount", 0);
        SawUsage = true;
        _usage = new ModelUsage(prompt - cached, output, 0, cached);
    }
}

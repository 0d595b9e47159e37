using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Agor.Daemon.Gateway.Upstreams;

/// <summary>
/// OpenAI's Responses API, <c>POST /v1/responses</c> only (no files, fine-tuning, models or
/// WebSocket upgrade), the key as <c>Authorization: Bearer</c>, as Codex's custom provider sends it.
/// </summary>
internal sealed class OpenAiUpstream(Uri baseUrl, string apiKey) : ModelUpstream(baseUrl, apiKey)
{
    public const string DefaultBaseUrl = "https://api.openai.com";

    public override string Service => GatewayServices.OpenAi;

    public override string PathsServed => "POST /v1/responses";

    public override bool Routes(string method, string path, out string? model)
    {
        model = null;
        return path == "/v1/responses" && HttpMethods.IsPost(method);
    }

    public override string? PresentedKey(HttpRequest request) => BearerToken(request);

    public override void AddKey(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + ApiKey);

    public override IUsageReader CreateUsageReader(string? pathModel) => new OpenAiUsageReader();

    // OpenAI's error shape; a 400 is not retried by Codex, so a budget refusal ends the turn.
    public override Task WriteErrorAsync(HttpContext context, int status, string type, string message) =>
        WriteJsonAsync(context, status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", type);
            writer.WriteNull("param");
            writer.WriteNull("code");
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
}

/// <summary>
/// Responses API usage: the <c>response.completed</c> event's <c>response.usage</c> (a JSON answer:
/// the top-level <c>usage</c>). <c>input_tokens</c> includes the cached ones, which are priced
/// apart, so they are taken out of the input count here.
/// </summary>
internal sealed class OpenAiUsageReader : IUsageReader
{
    private ModelUsage _usage = ModelUsage.Zero;

    public string? Model { get; private set; }

    public bool SawUsage { get; private set; }

    public ModelUsage Usage => _usage;

    public void ReadEvent(JsonElement data)
    {
        if (UsageJson.String(data, "type") is "response.completed" or "response.incomplete" or "response.failed"
            && data.TryGetProperty("response", out var response))
        {
            ReadBody(response);
        }
    }

    public void ReadBody(JsonElement body)
    {
        if (UsageJson.String(body, "model") is { } model)
        {
            Model = model;
        }

        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var input = UsageJson.Read(usage, "input_tokens", 0);
        var cached = usage.TryGetProperty("input_tokens_details", out var details) ? UsageJson.Read(details, "cached_tokens", 0) : 0;
        cached = Math.Min(cached, input);
        SawUsage = true;
        _usage = new ModelUsage(input - cached, UsageJson.Read(usage, "output_tokens", 0), 0, cached);
    }
}

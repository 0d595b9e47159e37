using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Agor.Daemon.Gateway.Upstreams;

/// <summary>Anthropic's Messages API: <c>/v1/messages</c> and below (count_tokens), the key in <c>x-api-key</c>.</summary>
internal sealed class AnthropicUpstream(Uri baseUrl, string apiKey) : ModelUpstream(baseUrl, apiKey)
{
    public const string DefaultBaseUrl = "https://api.anthropic.com";

    public override string Service => GatewayServices.Anthropic;

    public override string PathsServed => "/v1/messages";

    public override bool Routes(string method, string path, out string? model)
    {
        model = null;
        return path == "/v1/messages" || path.StartsWith("/v1/messages/", StringComparison.Ordinal);
    }

    public override string? PresentedKey(HttpRequest request) => SingleHeader(request, "x-api-key");

    public override void AddKey(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation("x-api-key", ApiKey);

    public override IUsageReader CreateUsageReader(string? pathModel) => new AnthropicUsageReader();

    // The Messages API's own error shape, so that Claude Code shows the message.
    public override Task WriteErrorAsync(HttpContext context, int status, string type, string message) =>
        WriteJsonAsync(context, status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("type", "error");
            writer.WriteStartObject("error");
            writer.WriteString("type", type);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
}

/// <summary>
/// Messages API usage: <c>message_start</c>'s message carries the model and the first counts, then
/// each <c>message_delta</c>'s cumulative counts replace them; a JSON answer has them at the top.
/// </summary>
internal sealed class AnthropicUsageReader : IUsageReader
{
    private long _input;
    private long _output;
    private long _cacheWrite;
    private long _cacheRead;

    public string? Model { get; private set; }

    public bool SawUsage { get; private set; }

    public ModelUsage Usage => new(_input, _output, _cacheWrite, _cacheRead);

    public void ReadEvent(JsonElement data)
    {
        var type = UsageJson.String(data, "type");
        if (type == "message_start" && data.TryGetProperty("message", out var message))
        {
            ReadMessage(message, deltaOnly: false);
        }
        else if (type == "message_delta")
        {
            ReadMessage(data, deltaOnly: true);
        }
    }

    public void ReadBody(JsonElement body) => ReadMessage(body, deltaOnly: false);

    private void ReadMessage(JsonElement message, bool deltaOnly)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (!deltaOnly && UsageJson.String(message, "model") is { } model)
        {
            Model = model;
        }

        if (!message.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        SawUsage = true;
        _input = UsageJson.Read(usage, "input_tokens", _input);
        _output = UsageJson.Read(usage, "output_tokens", _output);
        _cacheWrite = UsageJson.Read(usage, "cache_creation_input_tokens", _cacheWrite);
        _cacheRead = UsageJson.Read(usage, "cache_read_input_tokens", _cacheRead);
    }
}

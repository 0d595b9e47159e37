using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agor.Testing.Tests.Support;

/// <summary>A bare HTTP client for the scripted model server, for specs that check the wire format without the CLI.</summary>
internal sealed class MessagesApiClient(string baseUrl) : IDisposable
{
    // No draining of an answer the spec stops reading: close the connection at once, as an interrupted CLI does.
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(baseUrl) };

    public static JsonObject Body(string userText, bool stream, int maxTokens = 1024) => new()
    {
        ["model"] = "claude-test-model",
        ["max_tokens"] = maxTokens,
        ["stream"] = stream,
        ["system"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "You are a test." }),
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = userText }),
    };

    public Task<HttpResponseMessage> PostAsync(string path, JsonNode body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("x-api-key", "sk-test-raw");
        request.Headers.Add("anthropic-version", "2023-06-01");
        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken) =>
        _http.SendAsync(new HttpRequestMessage(method, path), cancellationToken);

    /// <summary>Posts a streaming request and collects every event of the answer.</summary>
    public async Task<List<ServerSentEvent>> StreamAsync(JsonNode body, CancellationToken cancellationToken)
    {
        using var response = await PostAsync("/v1/messages?beta=true", body, cancellationToken);
        response.EnsureSuccessStatusCode();
        var events = new List<ServerSentEvent>();
        await foreach (var e in ServerSentEvent.ReadAllAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken))
        {
            events.Add(e);
        }

        return events;
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return document.RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Agor.Bench.Suites.Daemon;

/// <summary>From before a request is sent to its first body bytes and to the end of its body, in milliseconds.</summary>
internal readonly record struct RequestTiming(double FirstByteMs, double LastByteMs, long Bytes);

/// <summary>
/// The agent's side of a model request: one keep-alive connection (as the CLI's HTTP client keeps
/// one) to a Messages API endpoint — the scripted model, the paced SSE server, or the gateway in
/// front of either — that POSTs a small streaming <c>/v1/messages</c> request and reads the answer.
/// The direct baseline and the gateway side go through this same code; only the URL and key differ.
/// </summary>
internal sealed class MessagesClient : IDisposable
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Say OK for the bench."}]}""");

    private readonly HttpClient _http;
    private readonly string _apiKey;
    private readonly byte[] _buffer = new byte[64 * 1024];

    public MessagesClient(string baseUrl, string apiKey)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 1 })
        {
            BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        _apiKey = apiKey;
    }

    /// <summary>One request, read to its end; the body is not kept.</summary>
    public async Task<RequestTiming> TimeAsync(CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await SendAsync(cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var read = await body.ReadAsync(_buffer, cancellationToken);
        var first = Stopwatch.GetTimestamp();
        long total = read;
        while (read > 0)
        {
            read = await body.ReadAsync(_buffer, cancellationToken);
            total += read;
        }

        var last = Stopwatch.GetTimestamp();
        if (total == 0)
        {
            throw new InvalidOperationException($"{_http.BaseAddress}v1/messages answered an empty body.");
        }

        return new RequestTiming(Stopwatch.GetElapsedTime(start, first).TotalMilliseconds, Stopwatch.GetElapsedTime(start, last).TotalMilliseconds, total);
    }

    /// <summary>One request; every line of the answer goes to <paramref name="onLine"/> with the receive time of the read that brought it.</summary>
    public async Task ReadLinesAsync(Func<ReadOnlyMemory<byte>, long, bool> onLine, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await new TimedLineReader(body).ReadAsync(onLine, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages") { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("x-api-key", _apiKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"{_http.BaseAddress}v1/messages answered {(int)response.StatusCode} {response.Content.Headers.ContentType}: {text}");
        }
    }
}

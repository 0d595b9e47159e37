using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agor.Cli.Commands;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Client;

/// <summary>
/// The daemon's HTTP API with the token of AGOR_HOME. Every failure becomes a
/// <see cref="CliException"/> whose message says what to do: not running, unreachable, token
/// refused, or the API's own problem detail.
/// </summary>
internal sealed class DaemonClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;

    private DaemonClient(DaemonEndpoint endpoint, string? token)
    {
        Endpoint = endpoint;
        // Requests carry their own timeouts; the event stream has none.
        var handler = new SocketsHttpHandler { ConnectTimeout = ConnectTimeout };
        _http = new HttpClient(handler) { BaseAddress = endpoint.Address, Timeout = Timeout.InfiniteTimeSpan };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public DaemonEndpoint Endpoint { get; }

    public string Address => Endpoint.Address.ToString().TrimEnd('/');

    /// <summary>A client for the daemon of AGOR_HOME, holding its API token.</summary>
    public static DaemonClient Create(AgorHome home, IReadOnlyDictionary<string, string?> environment, bool requireToken = true)
    {
        ArgumentNullException.ThrowIfNull(home);
        var endpoint = DaemonEndpoint.Resolve(home, environment);
        string? token = null;
        if (requireToken)
        {
            token = File.Exists(home.TokenPath)
                ? home.ReadToken()
                : throw new CliException($"there is no API token at {home.TokenPath}; run `agor init` (or start the daemon once) to create it", ExitCodes.Config);
        }

        return new DaemonClient(endpoint, token);
    }

    public Task<ApiResponse> GetAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    /// <summary>
    /// A whole paged listing (a JSON array): follows the daemon's <c>Next-Cursor</c> header page by
    /// page and joins the pages, so commands show everything as they did before listings were paged.
    /// </summary>
    public async Task<ApiResponse> GetAllAsync(string path, CancellationToken cancellationToken = default)
    {
        var page = await GetAsync(path, cancellationToken);
        if (page.NextCursor is null || page.Json.ValueKind != JsonValueKind.Array)
        {
            return page;
        }

        var items = new JsonArray();
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        while (true)
        {
            foreach (var item in page.Json.EnumerateArray())
            {
                items.Add(JsonNode.Parse(item.GetRawText()));
            }

            if (page.NextCursor is not { } cursor)
            {
                break;
            }

            page = await GetAsync($"{path}{separator}cursor={Uri.EscapeDataString(cursor)}", cancellationToken);
        }

        var raw = items.ToJsonString();
        return new ApiResponse(raw, JsonDocument.Parse(raw).RootElement.Clone());
    }

    public Task<ApiResponse> PostAsync(string path, JsonObject? body, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, path, body ?? [], cancellationToken);

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            EnsureSuccess(response.StatusCode, text);
            var next = response.Headers.TryGetValues("Next-Cursor", out var values) ? values.FirstOrDefault() : null;
            return new ApiResponse(text, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), next);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw NoAnswer();
        }
    }

    /// <summary>Opens <c>GET /events</c> (headers read, body streaming); the caller owns the response.</summary>
    public async Task<HttpResponseMessage> OpenEventsAsync(string? sessionId, long? lastEventId, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, sessionId is null ? "/events" : $"/events?session_id={Uri.EscapeDataString(sessionId)}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw NoAnswer();
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                EnsureSuccess(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
            }
        }

        return response;
    }

    public void Dispose() => _http.Dispose();

    private void EnsureSuccess(HttpStatusCode status, string body)
    {
        if ((int)status is >= 200 and < 300)
        {
            return;
        }

        if (status == HttpStatusCode.Unauthorized)
        {
            throw new CliException(
                $"the daemon at {Address} refused the API token in {Endpoint.TokenPath} (401): it was started with another AGOR_HOME, or the token changed since; use the same AGOR_HOME, or restart the daemon",
                ExitCodes.NoPermission);
        }

        throw new CliException(ProblemText(status, body), ExitCodes.Failed);
    }

    private static string ProblemText(HttpStatusCode status, string body)
    {
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            if (problem.ValueKind == JsonValueKind.Object)
            {
                var detail = problem.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                var title = problem.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if ((detail ?? title) is { } text)
                {
                    return $"{text} ({(int)status})";
                }
            }
        }
        catch (JsonException)
        {
        }

        return $"the daemon answered {(int)status} {status}";
    }

    private CliException NoAnswer() =>
        new($"the daemon at {Address} did not answer in time; check that it runs (`agor daemon status`) and that daemon.host and daemon.port in config.yaml are right", ExitCodes.Unavailable);

    private CliException Unreachable(HttpRequestException ex)
    {
        var socket = ex.InnerException as SocketException ?? ex.InnerException?.InnerException as SocketException;
        return socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused =>
                new CliException($"the daemon is not running at {Address}; start it with `agor daemon start`", ExitCodes.Unavailable),
            { } code =>
                new CliException($"cannot reach the daemon at {Address} ({code}: {socket.Message}); check daemon.host and daemon.port in config.yaml", ExitCodes.Unavailable),
            null =>
                new CliException($"cannot talk to the daemon at {Address}: {ex.Message}", ExitCodes.Unavailable),
        };
    }
}

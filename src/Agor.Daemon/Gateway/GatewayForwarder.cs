using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Agor.Daemon.Gateway;

/// <summary>
/// Forwards one model request: checks the placeholder and the task's budget, swaps in the real
/// key, sends it on with <see cref="HttpCompletionOption.ResponseHeadersRead"/> and copies the
/// answer back chunk by chunk, flushing each one, while <see cref="UsageMeter"/> reads its usage.
/// Each request of a known task ends in its egress record (<see cref="GatewayAudit"/>).
/// </summary>
internal sealed class GatewayForwarder(HttpClient upstream, Uri baseUrl, string apiKey, long maxRequestBytes, PlaceholderRegistry placeholders, GatewayAudit audit, ILogger logger)
{
    private const int ChunkBytes = 16 * 1024;

    // Hop-by-hop (RFC 9110 7.6.1) and those the gateway sets itself; credentials are never copied.
    private static readonly HashSet<string> DroppedRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Host", "Content-Length", "x-api-key", "Authorization", "Accept-Encoding", "Cookie",
    };

    private static readonly HashSet<string> DroppedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Content-Length", "Set-Cookie",
    };

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var task = placeholders.Find(PresentedKey(context.Request));
        if (task is null)
        {
            GatewayLog.Refused(logger, path, "unknown or revoked placeholder");
            await GatewayErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "authentication_error", "invalid x-api-key: this placeholder is unknown or its task has ended.");
            return;
        }

        var started = audit.Now;

        // Only the Messages API: the real key opens nothing else through here.
        if (!(path == "/v1/messages" || path.StartsWith("/v1/messages/", StringComparison.Ordinal)))
        {
            GatewayLog.Refused(logger, path, "not a Messages API path");
            await audit.RefusedAsync(task, $"not_messages_api: {context.Request.Method} {path}", started);
            await GatewayErrors.WriteAsync(context, StatusCodes.Status404NotFound, "not_found_error", $"The model gateway forwards only /v1/messages, not {path}.");
            return;
        }

        // Announced too large: refused before anything goes upstream (a body that grows past it unannounced is cut by Kestrel).
        if (context.Request.ContentLength > maxRequestBytes)
        {
            await GatewayErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "request_too_large", $"The request is over network.gateway_max_request_bytes ({maxRequestBytes} bytes).");
            return;
        }

        if (task.CheckBudget() is { } refusal)
        {
            GatewayLog.BudgetRefused(logger, task.TaskId, refusal);
            await audit.RefusedAsync(task, $"budget_exceeded: {refusal}", started);
            await GatewayErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", refusal);
            return;
        }

        using var request = BuildRequest(context.Request, path);
        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (Exception ex) when (ex is HttpRequestException or BadHttpRequestException && !context.RequestAborted.IsCancellationRequested)
        {
            GatewayLog.UpstreamFailed(logger, task.TaskId, ex.Message);
            await audit.RefusedAsync(task, "upstream_unreachable: the upstream API could not be reached", started);
            await GatewayErrors.WriteAsync(context, StatusCodes.Status502BadGateway, "api_error", "The model gateway could not reach the upstream API.");
            return;
        }

        using (response)
        {
            await CopyResponseAsync(context, response, task, path, started);
        }
    }

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers["x-api-key"] is { Count: 1 } key)
        {
            return key[0];
        }

        var authorization = request.Headers.Authorization;
        return authorization is { Count: 1 } && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? value[7..].Trim()
            : null;
    }

    private HttpRequestMessage BuildRequest(HttpRequest incoming, string path)
    {
        var target = new Uri(baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + path + incoming.QueryString.Value);
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), target) { Version = new Version(1, 1) };
        if (incoming.ContentLength is > 0 || incoming.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(incoming.Body, ChunkBytes);
            if (incoming.ContentLength is { } length)
            {
                request.Content.Headers.ContentLength = length;
            }
        }

        var dropped = ConnectionListed(incoming.Headers.Connection);
        foreach (var (name, values) in incoming.Headers)
        {
            if (DroppedRequestHeaders.Contains(name) || dropped.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        request.Headers.TryAddWithoutValidation("x-api-key", apiKey);
        return request;
    }

    private async Task CopyResponseAsync(HttpContext context, HttpResponseMessage response, GatewayTask task, string path, DateTimeOffset started)
    {
        var outgoing = context.Response;
        outgoing.StatusCode = (int)response.StatusCode;
        var dropped = ConnectionListed(response.Headers.TryGetValues("Connection", out var connection) ? new StringValues([.. connection]) : StringValues.Empty);
        CopyHeaders(response.Headers, outgoing, dropped);
        CopyHeaders(response.Content.Headers, outgoing, dropped);

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        using var meter = new UsageMeter(streamed: string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase));
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await outgoing.StartAsync(context.RequestAborted);

        var buffer = new byte[ChunkBytes];
        long bytesDown = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            int read;
            while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                bytesDown += read;
                meter.Observe(buffer.AsSpan(0, read));
                await outgoing.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await outgoing.Body.FlushAsync(context.RequestAborted);
            }

            meter.Complete();
        }
        finally
        {
            // Whatever was answered before a break still counts against the task.
            var usage = meter.Usage;
            var cost = PriceTable.Cost(meter.Model, usage);
            task.Record(usage, cost);
            GatewayLog.Forwarded(logger, task.TaskId, context.Request.Method, path, outgoing.StatusCode, usage.InputTokens, usage.OutputTokens, cost);
            await audit.ForwardedAsync(task, context.Request.Method, path, outgoing.StatusCode, usage, cost, context.Request.ContentLength ?? 0, bytesDown, started);
        }
    }

    private static void CopyHeaders(HttpHeaders headers, HttpResponse outgoing, HashSet<string> dropped)
    {
        foreach (var (name, values) in headers)
        {
            if (!DroppedResponseHeaders.Contains(name) && !dropped.Contains(name))
            {
                outgoing.Headers[name] = new StringValues([.. values]);
            }
        }
    }

    private static HashSet<string> ConnectionListed(StringValues connection)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in connection)
        {
            foreach (var name in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(name);
            }
        }

        return names;
    }
}

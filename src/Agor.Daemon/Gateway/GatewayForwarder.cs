using System.Net.Http.Headers;
using Agor.Daemon.Gateway.Upstreams;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Agor.Daemon.Gateway;

/// <summary>
/// Forwards one model request: routes it by path to the one upstream API that serves it, checks
/// the placeholder (in that API's own header, minted for that service) and the task's budget,
/// swaps in the real key, sends it on with <see cref="HttpCompletionOption.ResponseHeadersRead"/>
/// and copies the answer back chunk by chunk, flushing each one, while <see cref="UsageMeter"/>
/// reads its usage with the upstream's reader. Each request of a known task ends in its egress
/// record (<see cref="GatewayAudit"/>).
/// </summary>
internal sealed class GatewayForwarder(HttpClient upstream, IReadOnlyList<ModelUpstream> upstreams, long maxRequestBytes, PlaceholderRegistry placeholders, GatewayAudit audit, ILogger logger)
{
    private const int ChunkBytes = 16 * 1024;

    // Hop-by-hop (RFC 9110 7.6.1) and those the gateway sets itself; no upstream's credential header is ever copied.
    private static readonly HashSet<string> DroppedRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Host", "Content-Length", "x-api-key", "Authorization", "x-goog-api-key", "Accept-Encoding", "Cookie",
    };

    private static readonly HashSet<string> DroppedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Content-Length", "Set-Cookie",
    };

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        string? model = null;
        var api = upstreams.FirstOrDefault(u => u.Routes(method, path, out model));
        if (api is null)
        {
            await RefuseUnroutedAsync(context, method, path);
            return;
        }

        var binding = placeholders.Find(api.PresentedKey(context.Request));
        if (binding is null)
        {
            GatewayLog.Refused(logger, path, "unknown or revoked placeholder");
            await api.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "authentication_error", "invalid API key: this placeholder is unknown or its task has ended.");
            return;
        }

        var task = binding.Task;
        var started = audit.Now;

        // A placeholder opens the one service it was handed out for, never another key.
        if (binding.Service != api.Service)
        {
            GatewayLog.Refused(logger, path, $"a {binding.Service} placeholder presented to {api.Service}");
            await audit.RefusedAsync(task, api.BaseUrl, $"wrong_service: a {binding.Service} placeholder presented for {api.Service} ({method} {path})", started);
            await api.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "authentication_error", $"invalid API key: this placeholder is not for {api.Service}.");
            return;
        }

        // Announced too large: refused before anything goes upstream (a body that grows past it unannounced is cut by Kestrel).
        if (context.Request.ContentLength > maxRequestBytes)
        {
            await api.WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "request_too_large", $"The request is over network.gateway_max_request_bytes ({maxRequestBytes} bytes).");
            return;
        }

        if (task.CheckBudget() is { } refusal)
        {
            GatewayLog.BudgetRefused(logger, task.TaskId, refusal);
            await audit.RefusedAsync(task, api.BaseUrl, $"budget_exceeded: {refusal}", started);
            await api.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", refusal);
            return;
        }

        using var request = BuildRequest(context.Request, api, path);
        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (Exception ex) when (ex is HttpRequestException or BadHttpRequestException && !context.RequestAborted.IsCancellationRequested)
        {
            GatewayLog.UpstreamFailed(logger, task.TaskId, ex.Message);
            await audit.RefusedAsync(task, api.BaseUrl, "upstream_unreachable: the upstream API could not be reached", started);
            await api.WriteErrorAsync(context, StatusCodes.Status502BadGateway, "api_error", "The model gateway could not reach the upstream API.");
            return;
        }

        using (response)
        {
            await CopyResponseAsync(context, response, api, model, task, path, started);
        }
    }

    // No API of this gateway serves the path: the real keys open nothing else through here. A live
    // placeholder (in any API's header) is audited on its task; an unknown one gets 401 as anywhere.
    private async Task RefuseUnroutedAsync(HttpContext context, string method, string path)
    {
        var fallback = upstreams[0];
        var binding = ModelUpstream.AnyPresentedKey(context.Request).Select(placeholders.Find).FirstOrDefault(b => b is not null);
        if (binding is null)
        {
            GatewayLog.Refused(logger, path, "unknown or revoked placeholder");
            await fallback.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "authentication_error", "invalid API key: this placeholder is unknown or its task has ended.");
            return;
        }

        var own = upstreams.FirstOrDefault(u => u.Service == binding.Service) ?? fallback;
        GatewayLog.Refused(logger, path, "not a path the gateway forwards");
        await audit.RefusedAsync(binding.Task, own.BaseUrl, $"path_not_allowed: {method} {path}", audit.Now);
        await own.WriteErrorAsync(context, StatusCodes.Status404NotFound, "not_found_error", $"The model gateway forwards only {string.Join("; ", upstreams.Select(u => u.PathsServed))}, not {method} {path}.");
    }

    private static HttpRequestMessage BuildRequest(HttpRequest incoming, ModelUpstream api, string path)
    {
        var target = new Uri(api.BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + path + ForwardedQuery(incoming));
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

        api.AddKey(request);
        return request;
    }

    // Google also takes a key as ?key=: one there is never sent on (the placeholder stays here).
    private static string? ForwardedQuery(HttpRequest incoming)
    {
        if (!incoming.Query.ContainsKey("key"))
        {
            return incoming.QueryString.Value;
        }

        return QueryString.Create(incoming.Query.Where(q => !string.Equals(q.Key, "key", StringComparison.OrdinalIgnoreCase))).Value;
    }

    private async Task CopyResponseAsync(HttpContext context, HttpResponseMessage response, ModelUpstream api, string? model, GatewayTask task, string path, DateTimeOffset started)
    {
        var outgoing = context.Response;
        outgoing.StatusCode = (int)response.StatusCode;
        var dropped = ConnectionListed(response.Headers.TryGetValues("Connection", out var connection) ? new StringValues([.. connection]) : StringValues.Empty);
        CopyHeaders(response.Headers, outgoing, dropped);
        CopyHeaders(response.Content.Headers, outgoing, dropped);

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        using var meter = new UsageMeter(string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase), api.CreateUsageReader(model));
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
            var cost = PriceTable.Cost(api.Service, meter.Model, usage);
            task.Record(usage, cost);
            GatewayLog.Forwarded(logger, task.TaskId, context.Request.Method, path, outgoing.StatusCode, usage.InputTokens, usage.OutputTokens, cost);
            await audit.ForwardedAsync(task, api.BaseUrl, api.Service, context.Request.Method, path, outgoing.StatusCode, usage, cost, context.Request.ContentLength ?? 0, bytesDown, started);
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

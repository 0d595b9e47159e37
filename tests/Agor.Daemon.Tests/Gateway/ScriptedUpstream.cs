using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>What a scripted upstream answers one request with: a status, a content type and the body in chunks, each flushed.</summary>
internal sealed record UpstreamAnswer(int Status, string ContentType, IReadOnlyList<string> Chunks)
{
    public static UpstreamAnswer Sse(params string[] events) =>
        new(200, "text/event-stream", [.. events.Select(e => $"data: {e}\n\n")]);

    public static UpstreamAnswer Json(string body) => new(200, "application/json", [body]);
}

/// <summary>One request as the upstream received it.</summary>
internal sealed record UpstreamRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// A small stand-in for the OpenAI or Gemini API, on 127.0.0.1: it records every request (headers
/// lower-cased) and answers each with the next queued <see cref="UpstreamAnswer"/> (an empty
/// queue: 500), so that a spec sees exactly what the gateway sent on and what came back.
/// </summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<UpstreamAnswer> _answers = new();
    private readonly ConcurrentQueue<UpstreamRequest> _requests = new();

    private ScriptedUpstream(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = string.Empty;

    public IReadOnlyList<UpstreamRequest> Requests => [.. _requests];

    public static async Task<ScriptedUpstream> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new ScriptedUpstream(app);
        app.Run(upstream.HandleAsync);
        await app.StartAsync();
        upstream.BaseUrl = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
        return upstream;
    }

    public ScriptedUpstream Enqueue(UpstreamAnswer answer)
    {
        _answers.Enqueue(answer);
        return this;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        _requests.Enqueue(new UpstreamRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? string.Empty, headers, body));

        if (!_answers.TryDequeue(out var answer))
        {
            context.Response.StatusCode = 500;
            return;
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        foreach (var chunk in answer.Chunks)
        {
            await context.Response.WriteAsync(chunk, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

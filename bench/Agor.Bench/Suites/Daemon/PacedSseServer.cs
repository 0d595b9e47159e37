using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// A minimal Messages API stand-in (Kestrel on a free loopback port) whose streaming answer is
/// paced: <see cref="Chunks"/> <c>content_block_delta</c> events, <see cref="Gap"/> apart, each
/// carrying in <see cref="SentProperty"/> the <see cref="Stopwatch.GetTimestamp"/> reading taken
/// just before it is written and flushed. The scripted model server cannot say when it wrote a
/// chunk; the bench reads this clock on the client side, in the same process. The events around
/// the deltas (message_start and message_delta with usage, block start/stop, message_stop) follow
/// the real API, so the gateway's usage meter sees what it would see upstream.
/// </summary>
internal sealed class PacedSseServer : IAsyncDisposable
{
    public const string SentProperty = "bench_sent";
    public const int Chunks = 20;
    public static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(2);

    private readonly WebApplication _app;

    private PacedSseServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static async Task<PacedSseServer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        app.Run(AnswerAsync);
        try
        {
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new PacedSseServer(app, address.TrimEnd('/'));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        await context.Request.Body.CopyToAsync(Stream.Null, cancellationToken);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";

        await WriteAsync(response, "message_start", """{"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}""", cancellationToken);
        await WriteAsync(response, "content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""", cancellationToken);
        for (var i = 0; i < Chunks; i++)
        {
            await Task.Delay(Gap, cancellationToken);
            var sent = Stopwatch.GetTimestamp();
            await WriteAsync(response, "content_block_delta", $$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"chunk {{i}} of the paced answer "},"{{SentProperty}}":{{sent}}}""", cancellationToken);
        }

        await WriteAsync(response, "content_block_stop", """{"type":"content_block_stop","index":0}""", cancellationToken);
        await WriteAsync(response, "message_delta", $$$"""{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":{{{Chunks * 6}}}}}""", cancellationToken);
        await WriteAsync(response, "message_stop", """{"type":"message_stop"}""", cancellationToken);
    }

    /// <summary>One event, flushed on its own (as the API sends each event as it has it).</summary>
    private static async Task WriteAsync(HttpResponse response, string name, string json, CancellationToken cancellationToken)
    {
        response.BodyWriter.Write(Encoding.UTF8.GetBytes($"event: {name}\ndata: {json}\n\n"));
        await response.BodyWriter.FlushAsync(cancellationToken);
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Agor.Daemon.Events;
using Agor.Daemon.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Agor.Daemon.Hosting;

namespace Agor.Daemon.Api;

/// <summary>
/// <c>GET /events[?session_id=ID]</c>: Server-Sent Events. Stored events carry their id, so a client
/// that reconnects with <c>Last-Event-ID</c> (header, or <c>last_event_id</c> in the query) gets what
/// it missed; streaming deltas carry none. Events that are queued together go out in one write.
/// </summary>
internal static class EventStreamEndpoint
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/events", StreamAsync);

    private static async Task StreamAsync(HttpContext context, EventHub hub, IAgorStore store, StreamShutdown shutdown, CancellationToken requestAborted)
    {
        // A stream ends when its client leaves or the daemon stops (clients reconnect with Last-Event-ID).
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, shutdown.Token);
        var cancellationToken = linked.Token;
        var sessionId = context.Request.Query["session_id"].ToString() is { Length: > 0 } s ? s : null;
        if (sessionId is not null && await store.Sessions.GetAsync(sessionId, cancellationToken) is null)
        {
            await Problems.NotFound("session", sessionId).ExecuteAsync(context);
            return;
        }

        var lastEventText = context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : context.Request.Query["last_event_id"].ToString();
        long? lastEventId = null;
        if (lastEventText.Length > 0)
        {
            if (!long.TryParse(lastEventText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                await Problems.BadRequest("Last-Event-ID", "must be an event id (a whole number)").ExecuteAsync(context);
                return;
            }

            lastEventId = parsed;
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        // A new client starts from the newest stored event, and is told that id at once: a client
        // that reconnects later (after a daemon restart, say) then resumes from there even if no
        // event with an id came to it meanwhile. Events stored between reading it and subscribing
        // are replayed by the hub.
        var resumeFrom = lastEventId ?? await store.Events.LatestIdAsync(cancellationToken);
        var client = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        using var subscription = hub.Subscribe(sessionId, resumeFrom, client);
        var writer = response.BodyWriter;

        // An opening comment makes proxies and clients see the stream at once; an id line with no
        // data sets the client's last event id without dispatching an event.
        writer.Write(": agor events\nid: "u8);
        WriteAscii(writer, resumeFrom.ToString(CultureInfo.InvariantCulture));
        writer.Write("\n\n"u8);
        try
        {
            if ((await writer.FlushAsync(cancellationToken)).IsCompleted)
            {
                return;
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                beat.CancelAfter(Heartbeat);
                IReadOnlyList<DaemonEvent>? batch;
                try
                {
                    batch = await subscription.ReadAsync(beat.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    writer.Write(": heartbeat\n\n"u8);
                    if ((await writer.FlushAsync(cancellationToken)).IsCompleted)
                    {
                        return;
                    }

                    continue;
                }

                if (batch is null)
                {
                    // The hub dropped this client (it read too slowly); it reconnects with Last-Event-ID.
                    return;
                }

                foreach (var daemonEvent in batch)
                {
                    Write(writer, daemonEvent);
                }

                // A write the client no longer takes ends the stream like a slow client: it resumes with Last-Event-ID.
                if ((await writer.FlushAsync(cancellationToken)).IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The daemon is stopping: what was already queued (the tasks' final statuses) still goes
            // out, else a stop that ends its tasks quickly could close the stream before they are read.
            if (shutdown.Token.IsCancellationRequested && !requestAborted.IsCancellationRequested)
            {
                while (subscription.TakeQueued() is { Count: > 0 } queued)
                {
                    foreach (var daemonEvent in queued)
                    {
                        Write(writer, daemonEvent);
                    }
                }

                await writer.FlushAsync(requestAborted);
            }
        }
    }

    private static void Write(IBufferWriter<byte> writer, DaemonEvent daemonEvent)
    {
        if (daemonEvent.Id > 0)
        {
            writer.Write("id: "u8);
            WriteAscii(writer, daemonEvent.Id.ToString(CultureInfo.InvariantCulture));
            writer.Write("\n"u8);
        }

        writer.Write("event: "u8);
        WriteAscii(writer, daemonEvent.Type);
        writer.Write("\ndata: "u8);

        // JSON written without indentation has no line breaks, so one data line carries it.
        using (var json = new Utf8JsonWriter(writer))
        {
            daemonEvent.Data.WriteTo(json);
        }

        writer.Write("\n\n"u8);
    }

    private static void WriteAscii(IBufferWriter<byte> writer, string text)
    {
        var span = writer.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        writer.Advance(written);
    }
}

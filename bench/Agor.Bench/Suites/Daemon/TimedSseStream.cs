using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Agor.Bench.Suites.Daemon;

/// <summary>One Server-Sent Event as the bench received it: its type, its data, and the receive time of the read that completed it.</summary>
internal readonly record struct SseArrival(string Type, JsonElement Data, long ReceivedAt);

/// <summary>
/// A client of the daemon's <c>GET /events</c>, as a UI would hold one: reads the stream with
/// <see cref="TimedLineReader"/> and hands every event to a callback on its reader task, with the
/// time its bytes arrived. The subscription is live once <see cref="ConnectAsync"/> returns (the
/// daemon subscribes before it sends the response headers).
/// </summary>
internal sealed class TimedSseStream : IAsyncDisposable
{
    private static readonly byte[] EventPrefix = "event: "u8.ToArray();
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();

    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private TimedSseStream(HttpResponseMessage response, Stream body, Action<SseArrival> onEvent)
    {
        _response = response;
        _reader = Task.Run(() => ReadAsync(body, onEvent));
    }

    /// <summary>Completes when the stream ends (or faults with what ended it).</summary>
    public Task Completion => _reader;

    public static async Task<TimedSseStream> ConnectAsync(HttpClient http, string? sessionId, Action<SseArrival> onEvent, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, sessionId is null ? "/events" : $"/events?session_id={sessionId}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new TimedSseStream(response, body, onEvent);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
        {
        }

        _stop.Dispose();
    }

    private async Task ReadAsync(Stream body, Action<SseArrival> onEvent)
    {
        await using (body)
        {
            string? type = null;
            JsonElement? data = null;
            await new TimedLineReader(body).ReadAsync(
                (line, received) =>
                {
                    var span = line.Span;
                    if (span.Length == 0)
                    {
                        if (data is { } d)
                        {
                            onEvent(new SseArrival(type ?? "message", d, received));
                        }

                        (type, data) = (null, null);
                    }
                    else if (span.StartsWith(EventPrefix))
                    {
                        type = Encoding.UTF8.GetString(span[EventPrefix.Length..]);
                    }
                    else if (span.StartsWith(DataPrefix))
                    {
                        // The daemon writes one data line per event (JSON without line breaks).
                        using var document = JsonDocument.Parse(line[DataPrefix.Length..]);
                        data = document.RootElement.Clone();
                    }

                    return true;
                },
                _stop.Token);
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Agor.Testing.Daemon;

/// <summary>
/// Reads a daemon's <c>/events</c> stream as a browser would, keeping every event, so a test can
/// wait for the one it expects (no polling: each arrival wakes the waiters).
/// </summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<SseEvent> _events = new();
    private readonly SemaphoreSlim _arrived = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpResponseMessage _response;
    private readonly Task _reader;
    private int _waiters;

    private SseClient(HttpResponseMessage response)
    {
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    public IReadOnlyList<SseEvent> Events => [.. _events];

    /// <summary>True once the daemon ended the stream.</summary>
    public bool Ended => _reader.IsCompleted;

    public static async Task<SseClient> ConnectAsync(HttpClient http, string? sessionId = null, long? lastEventId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(HttpMethod.Get, sessionId is null ? "/events" : $"/events?session_id={sessionId}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(CultureInfo.InvariantCulture));
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        return new SseClient(response);
    }

    /// <summary>Waits for the first event (received so far or later) that matches.</summary>
    public async Task<SseEvent> WaitForAsync(Func<SseEvent, bool> match, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        Interlocked.Increment(ref _waiters);
        try
        {
            while (true)
            {
                if (_events.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                if (_reader.IsCompleted)
                {
                    throw new InvalidOperationException($"The event stream ended before the expected event. Received:\n{string.Join('\n', _events)}");
                }

                try
                {
                    await _arrived.WaitAsync(cancellation.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"No matching event within the time. Received:\n{string.Join('\n', _events)}");
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    /// <summary>Waits for a <c>task.updated</c> event of <paramref name="taskId"/> with a final status, and returns its data.</summary>
    public async Task<JsonElement> WaitForTaskEndAsync(string taskId, TimeSpan? timeout = null) =>
        (await WaitForAsync(e => e.Type == "task.updated" && e.Str("id") == taskId && e.Str("status") is "completed" or "failed" or "cancelled", timeout)).Data;

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
        _arrived.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream);
            long? id = null;
            string? type = null;
            string? data = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null)
                    {
                        _events.Enqueue(new SseEvent(id, type ?? "message", JsonDocument.Parse(data).RootElement.Clone()));
                        Wake();
                    }

                    (id, type, data) = (null, null, null);
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = long.Parse(line[4..], CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    type = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = data is null ? line[6..] : data + "\n" + line[6..];
                }
            }
        }
        finally
        {
            Wake();
        }
    }

    private void Wake()
    {
        var waiters = Volatile.Read(ref _waiters);
        if (waiters > 0)
        {
            _arrived.Release(waiters);
        }
    }
}

using System.Globalization;
using System.Net.Http.Headers;

namespace Agor.Daemon.Tests.Events;

/// <summary>Reads an SSE body line by line; yields the events that carry data (id 0 when they have none).</summary>
internal sealed class SseReader(Stream body) : IDisposable
{
    private readonly StreamReader _reader = new(body);

    public static async Task<HttpResponseMessage> OpenAsync(HttpClient http, Uri address, long? lastEventId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "/events"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(CultureInfo.InvariantCulture));
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        return response;
    }

    /// <summary>The next event with data; null at the end of the stream.</summary>
    public async Task<(long Id, string Type, string Data)?> NextAsync(CancellationToken cancellationToken)
    {
        long id = 0;
        string? type = null;
        string? data = null;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    return (id, type ?? "message", data);
                }

                id = 0;
                continue;
            }

            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line.AsSpan(4), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }

        return null;
    }

    public void Dispose() => _reader.Dispose();
}

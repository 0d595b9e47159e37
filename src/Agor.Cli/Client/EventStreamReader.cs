using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Agor.Cli.Client;

/// <summary>Parses a <c>text/event-stream</c> body: <c>id:</c>, <c>event:</c>, <c>data:</c> lines, events ended by a blank line, comments skipped; an id alone comes out as an event of no type.</summary>
internal static class EventStreamReader
{
    public static async IAsyncEnumerable<ServerSentEvent> ReadAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        long? id = null;
        string? type = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    JsonElement parsed;
                    try
                    {
                        parsed = JsonDocument.Parse(data.ToString()).RootElement.Clone();
                    }
                    catch (JsonException)
                    {
                        parsed = default;
                    }

                    yield return new ServerSentEvent(id, type ?? "message", parsed);
                }
                else if (id is not null)
                {
                    // An id without data moves the resume point and nothing else (the daemon starts
                    // every stream so); callers see it as an event of no type.
                    yield return new ServerSentEvent(id, string.Empty, default);
                }

                id = null;
                type = null;
                data.Clear();
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "id" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedId):
                    id = parsedId;
                    break;
                case "event":
                    type = value;
                    break;
                case "data":
                    if (data.Length > 0)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    break;
            }
        }
    }
}

using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Agor.Daemon.Storage.Sqlite;

/// <summary>
/// The data of a <c>message.created</c> event without its <c>event_data</c>, which the messages
/// table already holds: stored once, not twice. Put back together when events are read.
/// </summary>
internal static class MessageEventData
{
    private const string EventData = "event_data";

    /// <summary>The event's data minus <c>event_data</c>, and the message's session sequence; null when it is not shaped like a message.</summary>
    public static (string Data, long Sequence)? Strip(string data)
    {
        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty(EventData, out _)
            || !root.TryGetProperty("sequence", out var sequence)
            || !sequence.TryGetInt64(out var number))
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (!property.NameEquals(EventData))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return (Encoding.UTF8.GetString(buffer.WrittenSpan), number);
    }

    /// <summary>The stripped data with the message's <c>event_data</c> back in (null when the message is gone).</summary>
    public static string Restore(string stripped, string? messageData)
    {
        var close = stripped.LastIndexOf('}');
        var separator = stripped.AsSpan(0, close).TrimEnd().EndsWith("{") ? string.Empty : ",";
        return new StringBuilder(stripped.Length + (messageData?.Length ?? 4) + 16)
            .Append(stripped, 0, close).Append(separator).Append('"').Append(EventData).Append("\":")
            .Append(messageData ?? "null").Append('}')
            .ToString();
    }
}

using System.Text.Json;

namespace Agor.Testing.Tests.Support;

/// <summary>One parsed server-sent event: its name and its JSON data.</summary>
internal sealed record ServerSentEvent(string Name, JsonElement Data)
{
    /// <summary>Reads events until the stream ends.</summary>
    public static async IAsyncEnumerable<ServerSentEvent> ReadAllAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream);
        string? name = null;
        string? data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
            else if (line.Length == 0 && name is not null && data is not null)
            {
                using var document = JsonDocument.Parse(data);
                yield return new ServerSentEvent(name, document.RootElement.Clone());
                name = data = null;
            }
        }
    }
}

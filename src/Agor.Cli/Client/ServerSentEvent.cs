using System.Text.Json;

namespace Agor.Cli.Client;

/// <summary>One event of <c>/events</c>: its id (null for streaming deltas), type and JSON data.</summary>
internal sealed record ServerSentEvent(long? Id, string Type, JsonElement Data)
{
    /// <summary>A string member of the data, or null.</summary>
    public string? Str(string name) =>
        Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

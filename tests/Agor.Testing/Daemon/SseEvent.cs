using System.Text.Json;

namespace Agor.Testing.Daemon;

/// <summary>One Server-Sent Event as a client received it; <see cref="Id"/> is null for events without one.</summary>
public sealed record SseEvent(long? Id, string Type, JsonElement Data)
{
    public string? Str(string property) => Data.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public override string ToString() => $"{Id} {Type} {Data.GetRawText()}";
}

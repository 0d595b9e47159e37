using System.Text.Json;

namespace Agor.Executor.Sandbox;

/// <summary>The sandbox's events as the daemon stores them (<c>event_type</c> <c>system</c>).</summary>
internal static class SandboxEvents
{
    /// <summary><c>{"type":"system","subtype":"sandbox_unconfined","message":...}</c>.</summary>
    public static JsonElement Unconfined(string message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "system");
            writer.WriteString("subtype", "sandbox_unconfined");
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}

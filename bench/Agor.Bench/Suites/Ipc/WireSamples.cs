using System.Text;
using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Bench.Suites.Ipc;

/// <summary>Realistic messages, and their exact lines for the raw baselines that move the same bytes.</summary>
internal static class WireSamples
{
    /// <summary>What the daemon sends for a ping (the id grows, the length barely).</summary>
    public const string PingRequestLine = /*lang=json,strict*/ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{}}";

    /// <summary>A streaming text delta as Claude Code emits it: about 150 bytes of event data.</summary>
    private const string ContentBlockDelta = /*lang=json,strict*/ "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"I'll start by reading the configuration loader to see where \"}}";

    /// <summary>One <c>report_message</c> of a running task; the sender sets the sequence and timestamp.</summary>
    public static ReportMessageParams ReportMessage { get; } = new()
    {
        SessionToken = "st_8d5e0a7c4b2f4e19a6c3d1f0b9e87a65",
        TaskId = "0193a6f2-7c1e-7d4b-9a8e-5f3c2b1d0e9f",
        Sequence = 1_000,
        Timestamp = 1_764_000_000_000,
        EventType = EventTypes.ContentBlockDelta,
        EventData = JsonElement.Parse(ContentBlockDelta),
    };

    /// <summary>The line the JSON-RPC peer writes for <see cref="ReportMessage"/>, without its '\n'.</summary>
    public static string ReportMessageLine { get; } =
        $"{{\"jsonrpc\":\"2.0\",\"method\":\"{Methods.ReportMessage.Name}\",\"params\":{JsonSerializer.Serialize(ReportMessage, ProtocolJsonContext.Default.ReportMessageParams)}}}";

    public static int ReportMessageBytes => Encoding.UTF8.GetByteCount(ReportMessageLine) + 1;
}

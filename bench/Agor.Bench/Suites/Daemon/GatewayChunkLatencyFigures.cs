using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Agor.Bench.Measurement;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// How long one chunk of a streamed answer takes from the model server's write to the client's
/// read, straight and through the model gateway. The upstream is <see cref="PacedSseServer"/>,
/// which stamps each delta just before writing it; the client stamps the read that brought it
/// (<see cref="TimedLineReader"/>). Both clocks are the bench process's CLOCK_MONOTONIC.
/// </summary>
internal sealed class GatewayChunkLatencyFigures(DaemonContext context)
{
    public const int Requests = 50;
    private const int WarmupRequests = 2;
    private const double AddedTargetMs = 0.5;
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] SentMarker = Encoding.UTF8.GetBytes($"\"{PacedSseServer.SentProperty}\":");

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken)
    {
        context.Log.WriteLine($"gateway chunks: {Requests} paced answers each side ({PacedSseServer.Chunks} deltas, {PacedSseServer.Gap.TotalMilliseconds:0} ms apart) after {WarmupRequests} warm-up, direct and through ModelGateway taking turns ...");
        await using var model = await PacedSseServer.StartAsync(cancellationToken);
        await using var gateway = await BenchGateway.StartAsync(model.BaseUrl, context.WorkDirectory, cancellationToken);
        using var direct = new MessagesClient(model.BaseUrl, BenchGateway.RealKey);
        using var through = new MessagesClient(gateway.Url, gateway.Placeholder);

        var directMs = new List<double>(Requests * PacedSseServer.Chunks);
        var gatewayMs = new List<double>(Requests * PacedSseServer.Chunks);
        for (var i = 0; i < WarmupRequests + Requests; i++)
        {
            var d = await ChunkLatenciesAsync(direct, cancellationToken);
            var g = await ChunkLatenciesAsync(through, cancellationToken);
            if (i >= WarmupRequests)
            {
                directMs.AddRange(d);
                gatewayMs.AddRange(g);
            }
        }

        var directStats = new Stats(directMs);
        var gatewayStats = new Stats(gatewayMs);
        var added = gatewayStats.P50 - directStats.P50;
        var (low, high) = Bootstrap.MedianDifference95(gatewayMs, directMs);
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gateway chunks: {gatewayMs.Count} chunks each side; via gateway p50 {gatewayStats.P50:0.000} p99 {gatewayStats.P99:0.000} max {gatewayStats.Max:0.0} ms; direct p50 {directStats.P50:0.000} p99 {directStats.P99:0.000} ms"));

        table.Add(new Figure("model chunk → client p50, via gateway", Units.MillisecondsFine(gatewayStats.P50), Units.MillisecondsFine(directStats.P50) + " (direct)", "-", null));
        table.Add(new Figure("model chunk → client p99, via gateway", Units.MillisecondsFine(gatewayStats.P99), Units.MillisecondsFine(directStats.P99) + " (direct)", "-", null));
        table.Add(new Figure(
            "gateway added per chunk (p50 − p50)",
            $"{Units.SignedMillisecondsFine(added)} [{Units.SignedMillisecondsFine(low)} … {Units.SignedMillisecondsFine(high)}]",
            "0 (direct)",
            string.Create(CultureInfo.InvariantCulture, $"≤ {AddedTargetMs:0.0} ms"),
            added <= AddedTargetMs));
        table.Note(string.Create(CultureInfo.InvariantCulture, $"model chunk → client: a minimal SSE server in the bench (PacedSseServer, Kestrel on loopback; the scripted model server cannot say when it wrote a chunk) answers each streaming POST /v1/messages with message_start, then {PacedSseServer.Chunks} content_block_delta events {PacedSseServer.Gap.TotalMilliseconds:0} ms apart, each flushed alone and stamped with CLOCK_MONOTONIC just before its write, then message_delta (usage) and message_stop. The client (one keep-alive HttpClient connection per side) stamps the read that brought each delta, before parsing. {Requests} answers per side ({gatewayMs.Count} chunks) after {WarmupRequests} warm-up, direct and through the gateway (the same ModelGateway set-up as the row above) taking turns. Baseline: the same client straight to the same server."));
    }

    /// <summary>One paced answer: for each delta, the milliseconds from its stamp to the read that brought it.</summary>
    private static async Task<List<double>> ChunkLatenciesAsync(MessagesClient client, CancellationToken cancellationToken)
    {
        var latencies = new List<double>(PacedSseServer.Chunks);
        await client.ReadLinesAsync(
            (line, received) =>
            {
                var span = line.Span;
                if (span.StartsWith(DataPrefix) && span.IndexOf(SentMarker) >= 0)
                {
                    using var document = JsonDocument.Parse(line[DataPrefix.Length..]);
                    var sent = document.RootElement.GetProperty(PacedSseServer.SentProperty).GetInt64();
                    latencies.Add(Stopwatch.GetElapsedTime(sent, received).TotalMilliseconds);
                }

                return true;
            },
            cancellationToken);
        if (latencies.Count != PacedSseServer.Chunks)
        {
            throw new InvalidOperationException($"A paced answer brought {latencies.Count} of {PacedSseServer.Chunks} deltas.");
        }

        return latencies;
    }
}

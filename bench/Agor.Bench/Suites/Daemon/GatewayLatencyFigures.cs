using System.Globalization;
using Agor.Bench.Measurement;
using Agor.Testing.ScriptedModel;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// A model request through the model gateway beside the same request sent straight to the scripted
/// model server: time to the first byte of the answer's body and to its last byte, p50 and p99, and
/// what the gateway adds at p50. One client connection per side, requests taking turns (direct,
/// then through the gateway) so that drift in the machine's load falls on both alike.
/// </summary>
internal sealed class GatewayLatencyFigures(DaemonContext context)
{
    public const int Requests = 500;
    public const int Warmup = 50;
    private const double AddedTargetMs = 1;

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken)
    {
        context.Log.WriteLine($"gateway: {Requests} streaming POST /v1/messages (the scripted model's default turn) each side after {Warmup} warm-up, direct and through ModelGateway taking turns ...");
        await using var model = await ScriptedModelServer.StartAsync(cancellationToken);
        await using var gateway = await BenchGateway.StartAsync(model.BaseUrl, context.WorkDirectory, cancellationToken);
        using var direct = new MessagesClient(model.BaseUrl, BenchGateway.RealKey);
        using var through = new MessagesClient(gateway.Url, gateway.Placeholder);

        var directTimings = new List<RequestTiming>(Requests);
        var gatewayTimings = new List<RequestTiming>(Requests);
        for (var i = 0; i < Warmup + Requests; i++)
        {
            var d = await direct.TimeAsync(cancellationToken);
            var g = await through.TimeAsync(cancellationToken);
            if (i >= Warmup)
            {
                directTimings.Add(d);
                gatewayTimings.Add(g);
            }
        }

        CheckTheUpstreamSawTheRealKey(model);
        var directFirst = new Stats(directTimings.Select(t => t.FirstByteMs));
        var directLast = new Stats(directTimings.Select(t => t.LastByteMs));
        var gatewayFirst = new Stats(gatewayTimings.Select(t => t.FirstByteMs));
        var gatewayLast = new Stats(gatewayTimings.Select(t => t.LastByteMs));
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gateway: first byte p50 {gatewayFirst.P50:0.000} ms (direct {directFirst.P50:0.000}), last byte p50 {gatewayLast.P50:0.000} ms (direct {directLast.P50:0.000}); {gatewayTimings[0].Bytes} B answers"));

        table.Add(new Figure("model request → first byte p50, via gateway", Units.MillisecondsFine(gatewayFirst.P50), Units.MillisecondsFine(directFirst.P50) + " (direct)", "-", null));
        table.Add(new Figure("model request → first byte p99, via gateway", Units.MillisecondsFine(gatewayFirst.P99), Units.MillisecondsFine(directFirst.P99) + " (direct)", "-", null));
        table.Add(new Figure("model request → last byte p50, via gateway", Units.MillisecondsFine(gatewayLast.P50), Units.MillisecondsFine(directLast.P50) + " (direct)", "-", null));
        table.Add(new Figure("model request → last byte p99, via gateway", Units.MillisecondsFine(gatewayLast.P99), Units.MillisecondsFine(directLast.P99) + " (direct)", "-", null));
        table.Add(Added("gateway added, first byte (p50 − p50)", gatewayTimings.Select(t => t.FirstByteMs), directTimings.Select(t => t.FirstByteMs)));
        table.Add(Added("gateway added, last byte (p50 − p50)", gatewayTimings.Select(t => t.LastByteMs), directTimings.Select(t => t.LastByteMs)));
        table.Note($"model gateway: the daemon's ModelGateway (its own Kestrel, HttpClient upstream with ResponseHeadersRead, placeholder check, key swap, UsageMeter, a flush per read) started inside the bench with credentials.anthropic = the scripted model server (tests/Agor.Testing, Kestrel on loopback), and a placeholder minted for one task with no spend cap. {Requests} streaming POST /v1/messages (a 120-byte body; the answer is the scripted model's default turn, {gatewayTimings[0].Bytes} bytes of SSE) per side after {Warmup} warm-up, on one keep-alive HttpClient connection per side, direct and gateway taking turns; timed from before SendAsync to the first body read and to the end of the body. Baseline: the same client straight to the scripted model server with the real key. Client, gateway and model server share the bench process (and its thread pool); the daemon runs the gateway in its own process. The difference carries its 95% bootstrap interval.");
    }

    private static Figure Added(string name, IEnumerable<double> gateway, IEnumerable<double> direct)
    {
        IReadOnlyList<double> g = [.. gateway];
        IReadOnlyList<double> d = [.. direct];
        var added = new Stats(g).P50 - new Stats(d).P50;
        var (low, high) = Bootstrap.MedianDifference95(g, d);
        return new Figure(name, $"{Units.SignedMillisecondsFine(added)} [{Units.SignedMillisecondsFine(low)} … {Units.SignedMillisecondsFine(high)}]", "0 (direct)", $"≤ {AddedTargetMs:0} ms", added <= AddedTargetMs);
    }

    /// <summary>The figure means nothing if the gateway answered without going upstream: every request there must carry the real key.</summary>
    private static void CheckTheUpstreamSawTheRealKey(ScriptedModelServer model)
    {
        var requests = model.ConversationRequests;
        if (requests.Count != 2 * (Warmup + Requests) || requests.Any(r => r.ApiKey != BenchGateway.RealKey))
        {
            throw new InvalidOperationException($"The scripted model server saw {requests.Count} conversation requests, expected {2 * (Warmup + Requests)}, each with the real key.");
        }
    }
}

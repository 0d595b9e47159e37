using System.Diagnostics;
using Agor.Bench.Measurement;

namespace Agor.Bench.Suites.Ipc;

/// <summary>
/// Spawn-to-ready: from before the process is started to a connected socket that answered one ping.
/// The executor goes through the pool's real path (<c>ExecutorPool.AcquireAsync</c> with no warm
/// executors: plan, Process.Start, ready line, connect, JSON-RPC peer, ping); the baseline is the C
/// helper started the same way (Process.Start with redirected stdio, its ready line, connect, one
/// line echoed).
/// </summary>
internal sealed class SpawnFigures(IpcContext context, int samples, int warmup)
{
    private const double DirectTargetMs = 25;

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken = default)
    {
        context.Log.WriteLine($"spawn-to-ready: {samples} samples after {warmup} warm-up, direct ...");
        var rawDirect = await MeasureRawAsync(sudoUser: null, cancellationToken);
        var agorDirect = await MeasureExecutorAsync(sudoUser: null, cancellationToken);
        table.Add(new Figure("spawn-to-ready p50, direct", Units.Milliseconds(agorDirect.P50), Units.Milliseconds(rawDirect.P50), $"≤ {DirectTargetMs} ms", agorDirect.P50 <= DirectTargetMs));
        table.Add(new Figure("spawn-to-ready p95, direct", Units.Milliseconds(agorDirect.P95), Units.Milliseconds(rawDirect.P95), "-", null));

        if (context.Sudo.User is not { } user)
        {
            table.Add(Figure.Skip("spawn-to-ready, sudo", context.Sudo.SkipReason!));
            return;
        }

        context.Log.WriteLine($"spawn-to-ready: through sudo -n -u {user} ...");
        var rawSudo = await MeasureRawAsync(user, cancellationToken);
        var agorSudo = await MeasureExecutorAsync(user, cancellationToken);
        table.Add(new Figure($"spawn-to-ready p50, sudo -u {user}", Units.Milliseconds(agorSudo.P50), Units.Milliseconds(rawSudo.P50), "-", null));
        table.Add(new Figure($"spawn-to-ready p95, sudo -u {user}", Units.Milliseconds(agorSudo.P95), Units.Milliseconds(rawSudo.P95), "-", null));
    }

    private async Task<Stats> MeasureExecutorAsync(string? sudoUser, CancellationToken cancellationToken)
    {
        await using var pool = await context.CreatePoolAsync(sudoUser, cancellationToken);
        var times = new List<double>(samples);
        for (var i = 0; i < warmup + samples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var lease = await pool.AcquireAsync(cancellationToken: cancellationToken);
            var elapsed = Stats.MillisecondsSince(start);

            // Shutting the executor down is not part of the figure.
            await lease.DisposeAsync();
            if (i >= warmup)
            {
                times.Add(elapsed);
            }
        }

        return new Stats(times);
    }

    private async Task<Stats> MeasureRawAsync(string? sudoUser, CancellationToken cancellationToken)
    {
        var times = new List<double>(samples);
        for (var i = 0; i < warmup + samples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await using var server = await RawSockServer.StartAsync(context.RawSockPath, ["serve"], sudoUser, cancellationToken);
            using (var socket = await server.ConnectAsync(cancellationToken))
            {
                await RawSockServer.PingAsync(socket, cancellationToken);
                var elapsed = Stats.MillisecondsSince(start);
                if (i >= warmup)
                {
                    times.Add(elapsed);
                }
            }
        }

        return new Stats(times);
    }
}

using System.Diagnostics;
using System.Globalization;
using Agor.Bench.Measurement;
using Agor.Bench.Native;
using Agor.Bench.Processes;
using Agor.Daemon.Executors;
using Agor.Protocol.JsonRpc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Bench.Suites.Ipc;

/// <summary>
/// Sequential ping round trips over one connection: the daemon's <c>ExecutorClient.PingAsync</c> to
/// a native executor from the pool, beside a C client ping-ponging a line of the same length with
/// the C helper echoing it. Unpinned, then pinned: the bench's threads and every child on CPU 0,
/// where the figures are stable. Pinned, the round trip is also split into its two halves, each
/// against a C counterpart: the executor's side (C client → executor) and the daemon's side
/// (ExecutorClient → a C JSON-RPC responder).
/// </summary>
internal sealed class PingFigures(IpcContext context, int samples, int warmup)
{
    private const double TargetRatio = 2.5;

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken = default)
    {
        context.Log.WriteLine($"ping round trip: {samples} sequential pings after {warmup} warm-up, unpinned ...");
        var raw = await MeasureRawAsync(cancellationToken);
        var agor = await MeasureExecutorAsync(pinned: false, cancellationToken);

        context.Log.WriteLine("ping round trip: pinned to CPU 0 ...");
        Percentiles pinnedRaw, executorSide;
        PingRun pinnedAgor, daemonSide;
        using (Affinity.PinProcess(0))
        {
            pinnedRaw = await MeasureRawAsync(cancellationToken);
            pinnedAgor = await MeasureExecutorAsync(pinned: true, cancellationToken);
            executorSide = await MeasureExecutorSideAsync(cancellationToken);
            daemonSide = await MeasureDaemonSideAsync(cancellationToken);
        }

        var limit = TargetRatio * pinnedRaw.P50;
        table.Add(new Figure("ping p50, unpinned", Units.Microseconds(agor.Stats.P50), Units.Microseconds(raw.P50), "-", null));
        table.Add(new Figure("ping p99, unpinned", Units.Microseconds(agor.Stats.P99), Units.Microseconds(raw.P99), "-", null));
        table.Add(new Figure("ping p50, pinned (CPU 0)", Units.Microseconds(pinnedAgor.Stats.P50), Units.Microseconds(pinnedRaw.P50), $"≤ {TargetRatio}× raw = {Units.Microseconds(limit)}", pinnedAgor.Stats.P50 <= limit));
        table.Add(new Figure("ping p99, pinned (CPU 0)", Units.Microseconds(pinnedAgor.Stats.P99), Units.Microseconds(pinnedRaw.P99), "-", null));
        table.Add(new Figure("  pinned p50, executor side alone (C client → executor)", Units.Microseconds(executorSide.P50), Units.Microseconds(pinnedRaw.P50), "-", null));
        table.Add(new Figure("  pinned p50, daemon side alone (ExecutorClient → C responder)", Units.Microseconds(daemonSide.Stats.P50), Units.Microseconds(pinnedRaw.P50), "-", null));
        table.Note(string.Create(
            CultureInfo.InvariantCulture,
            $"ping, pinned: context switches per ping: bench (daemon side) {pinnedAgor.OwnSwitchesPerPing:0.0}, executor {pinnedAgor.PeerSwitchesPerPing:0.0}; the bench against the C responder {daemonSide.OwnSwitchesPerPing:0.0}. The C ping-pong makes 1 per side."));
    }

    private async Task<PingRun> MeasureExecutorAsync(bool pinned, CancellationToken cancellationToken)
    {
        await using var pool = await context.CreatePoolAsync(sudoUser: null, cancellationToken);
        await using var lease = await pool.AcquireAsync(cancellationToken: cancellationToken);
        if (pinned)
        {
            // Children inherit the affinity of the thread that forks them; check that it took.
            context.Log.WriteLine($"  pinned: bench threads on CPU {Affinity.AllowedCpusOfOwnThreads()}, executor {lease.Pid} on CPU {Affinity.AllowedCpus(lease.Pid)}");
        }

        return await TimePingsAsync(lease.Client, lease.Pid, cancellationToken);
    }

    /// <summary>The executor's half: a C client, which costs next to nothing, against an executor started by the pool's launcher.</summary>
    private async Task<Percentiles> MeasureExecutorSideAsync(CancellationToken cancellationToken)
    {
        var spec = context.CreateLauncher().Plan(unixUser: null);
        await using var process = ExecutorProcess.Start(spec, NullLogger.Instance);
        try
        {
            await process.WaitUntilReadyAsync(cancellationToken);

            // The executor exits once the C client closes its connection.
            return await RunCPingPongAsync(spec.SocketPath, cancellationToken);
        }
        finally
        {
            File.Delete(spec.SocketPath);
        }
    }

    /// <summary>The daemon's half: the real client against a C helper that answers each request line with a pong at once.</summary>
    private async Task<PingRun> MeasureDaemonSideAsync(CancellationToken cancellationToken)
    {
        await using var server = await RawSockServer.StartAsync(context.RawSockPath, ["rpcserve"], cancellationToken: cancellationToken);
        // The daemon checks its peer before a byte is sent; the helper is the process we know.
        using var pinned = LaunchedProcess.Pin(server.Pid);
        await using var client = await ExecutorClient.ConnectAsync(
            "rawsock",
            server.SocketPath,
            peer => ExecutorIdentity.Verify(peer, (int)Agor.Daemon.Interop.Native.geteuid(), pinned, throughSudo: false),
            new JsonRpcPeerOptions { Name = "rawsock" },
            null,
            NullLogger.Instance,
            cancellationToken);
        return await TimePingsAsync(client, server.Pid, cancellationToken);
    }

    private async Task<PingRun> TimePingsAsync(ExecutorClient client, int peerPid, CancellationToken cancellationToken)
    {
        for (var i = 0; i < warmup; i++)
        {
            await client.PingAsync(cancellationToken);
        }

        var times = new double[samples];
        var ownSwitches = ProcStatus.ContextSwitches(Environment.ProcessId);
        var peerSwitches = ProcStatus.ContextSwitches(peerPid);
        for (var i = 0; i < samples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await client.PingAsync(cancellationToken);
            times[i] = Stats.MicrosecondsSince(start);
        }

        return new PingRun(
            new Stats(times),
            (ProcStatus.ContextSwitches(Environment.ProcessId) - ownSwitches) / (double)samples,
            (ProcStatus.ContextSwitches(peerPid) - peerSwitches) / (double)samples);
    }

    /// <summary>C client against the C echo helper.</summary>
    private async Task<Percentiles> MeasureRawAsync(CancellationToken cancellationToken)
    {
        await using var server = await RawSockServer.StartAsync(context.RawSockPath, ["serve"], cancellationToken: cancellationToken);
        return await RunCPingPongAsync(server.SocketPath, cancellationToken);
    }

    private async Task<Percentiles> RunCPingPongAsync(string socketPath, CancellationToken cancellationToken)
    {
        var result = await CommandLine.RunAsync(
            context.RawSockPath,
            ["pingpong", socketPath, Invariant(warmup), Invariant(samples), WireSamples.PingRequestLine],
            cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"rawsock pingpong failed (exit {result.ExitCode}): {result.Stderr}");
        }

        var fields = result.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new Percentiles(double.Parse(fields[0], CultureInfo.InvariantCulture) / 1000, double.Parse(fields[1], CultureInfo.InvariantCulture) / 1000);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>p50 and p99 in microseconds, as the C client reports them.</summary>
    private readonly record struct Percentiles(double P50, double P99);

    /// <summary>Timed pings, and the context switches each cost this process and the peer process.</summary>
    private sealed record PingRun(Stats Stats, double OwnSwitchesPerPing, double PeerSwitchesPerPing);
}

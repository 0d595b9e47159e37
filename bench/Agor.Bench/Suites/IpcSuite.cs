using System.Diagnostics;
using Agor.Bench.Measurement;
using Agor.Bench.Setup;
using Agor.Bench.Suites.Ipc;

namespace Agor.Bench.Suites;

/// <summary>
/// The <c>ipc</c> suite: how fast the daemon gets a native executor ready, talks to it, and hears
/// from it, and how much memory an idle one holds; every figure beside a raw baseline from the same run.
/// </summary>
internal static class IpcSuite
{
    private const int SpawnSamples = 30;
    private const int SpawnWarmup = 3;
    private const int PingSamples = 20_000;
    private const int PingWarmup = 5_000;
    private const int ConcurrentTotal = 400_000;
    private const long Notifications = 1_000_000;
    private const long NotificationWarmup = 100_000;

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var layout = RepoLayout.Find();
        var executor = await NativeExecutor.EnsureAsync(layout, output, cancellationToken);
        var rawSock = await RawSockHelper.EnsureAsync(layout, output, cancellationToken);
        var sudo = await SudoTarget.PrepareAsync([executor, rawSock], output, cancellationToken);
        output.WriteLine(sudo.User is { } user ? $"sudo: figures through sudo -n -u {user} --" : $"sudo: skipped: {sudo.SkipReason}");
        output.WriteLine($"bench: {(Debugger.IsAttached ? "debugger attached, " : string.Empty)}{BenchInfo.BuildConfiguration()} build, {Environment.ProcessorCount} CPUs, load average {BenchInfo.LoadAverage()} (other work on the machine moves the figures)");
        var context = new IpcContext(layout, executor, rawSock, sudo, output);

        var table = new ResultTable();
        await new SpawnFigures(context, SpawnSamples, SpawnWarmup).MeasureAsync(table, cancellationToken);
        await new MemoryFigures(context).MeasureAsync(table, cancellationToken);
        await new PingFigures(context, PingSamples, PingWarmup).MeasureAsync(table, cancellationToken);
        await new ThroughputFigures(context, ConcurrentTotal).MeasureAsync(table, cancellationToken);
        await new NotificationFigures(context, Notifications, NotificationWarmup).MeasureAsync(table, cancellationToken);
        Describe(table);

        output.WriteLine();
        output.Write(table.Render());
        output.WriteLine();
        output.WriteLine($"ipc suite: {clock.Elapsed.TotalSeconds:0} s; executor {executor}");
        return table.AllTargetsMet ? 0 : 1;
    }

    private static void Describe(ResultTable table)
    {
        table.Note("spawn-to-ready: from before Process.Start to a connected socket that answered one ping. agor = ExecutorPool.AcquireAsync with no warm executors (launch plan, Process.Start, the executor's ready line, connect, JSON-RPC peer, ping); baseline = the C helper (rawsock serve) started the same way (Process.Start, stdio redirected, ready line, connect, one line echoed).");
        table.Note("idle VmRSS: /proc/PID/status of the executor after connect + ping (the pool's lease) and of the C helper after connect + one echoed line.");
        table.Note("ping: sequential ExecutorClient.PingAsync on one connection to a native executor (JSON-RPC request, executor answers pong with pid/uid/user); baseline = C client and C echo server ping-ponging a line of the same length. Pinned: every bench thread and both children on CPU 0 (sched_setaffinity, inherited at fork).");
        table.Note($"requests/s: {ThroughputFigures.Concurrency} concurrent callers awaiting ExecutorClient.PingAsync in a loop on one connection; baseline = C client keeping {ThroughputFigures.Concurrency} lines in flight against the C echo server.");
        table.Note("notifications/s: the bench's own notify-child (JIT, same JsonRpcPeer) sends report_message content_block_delta notifications over a Unix socket as fast as it can; the daemon's ExecutorClient counts them in a notification handler. Baseline = C helper writing the same lines, a plain .NET socket reader counting newlines.");
    }
}

using System.Diagnostics;
using System.Globalization;
using Agor.Bench.Measurement;
using Agor.Bench.Processes;

namespace Agor.Bench.Suites.Ipc;

/// <summary>
/// Concurrent requests on one connection: <see cref="Concurrency"/> callers each awaiting pings in
/// a loop against one native executor, beside the C client keeping as many lines in flight
/// against the C echo helper.
/// </summary>
internal sealed class ThroughputFigures(IpcContext context, int total)
{
    public const int Concurrency = 256;
    private const double TargetPerSecond = 200_000;

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken = default)
    {
        context.Log.WriteLine($"concurrent requests: {total:#,0} pings, {Concurrency} in flight, one connection ...");
        var raw = await MeasureRawAsync(cancellationToken);
        var (agor, daemonCpu, executorCpu) = await MeasureExecutorAsync(cancellationToken);
        table.Add(new Figure(
            $"requests/s, {Concurrency} in flight",
            Units.PerSecond(agor),
            Units.PerSecond(raw),
            $"≥ {Units.PerSecond(TargetPerSecond)}",
            agor >= TargetPerSecond));
        var ceiling = Environment.ProcessorCount / ((daemonCpu + executorCpu) / 1e6);
        table.Note(string.Create(
            CultureInfo.InvariantCulture,
            $"requests: CPU per request: daemon side (the bench: {Concurrency} callers, encode, write, read, parse, complete) {daemonCpu:0.0} µs, executor {executorCpu:0.0} µs. With both on {Environment.ProcessorCount} CPUs the CPU-bound ceiling is {ceiling:#,0}/s."));
    }

    /// <summary>The rate, and the CPU each request cost the daemon side and the executor (which figures the load of the machine moves less).</summary>
    private async Task<(double Rate, double DaemonCpu, double ExecutorCpu)> MeasureExecutorAsync(CancellationToken cancellationToken)
    {
        await using var pool = await context.CreatePoolAsync(sudoUser: null, cancellationToken);
        await using var lease = await pool.AcquireAsync(cancellationToken: cancellationToken);
        var client = lease.Client;

        async Task CallerAsync(int calls)
        {
            for (var i = 0; i < calls; i++)
            {
                await client.PingAsync(cancellationToken);
            }
        }

        Task RunAsync(int calls) => Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(() => CallerAsync(calls), cancellationToken)));

        await RunAsync(Math.Max(1, total / Concurrency / 10));
        var perCaller = total / Concurrency;
        var calls = perCaller * Concurrency;
        var daemonCpu = CpuTime(Environment.ProcessId);
        var executorCpu = CpuTime(lease.Pid);
        var start = Stopwatch.GetTimestamp();
        await RunAsync(perCaller);
        var elapsed = Stopwatch.GetElapsedTime(start);
        return (
            calls / elapsed.TotalSeconds,
            (CpuTime(Environment.ProcessId) - daemonCpu).TotalMicroseconds / calls,
            (CpuTime(lease.Pid) - executorCpu).TotalMicroseconds / calls);
    }

    private static TimeSpan CpuTime(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }

    private async Task<double> MeasureRawAsync(CancellationToken cancellationToken)
    {
        await using var server = await RawSockServer.StartAsync(context.RawSockPath, ["serve"], cancellationToken: cancellationToken);
        var result = await CommandLine.RunAsync(
            context.RawSockPath,
            ["pipeline", server.SocketPath, total.ToString(CultureInfo.InvariantCulture), Concurrency.ToString(CultureInfo.InvariantCulture), WireSamples.PingRequestLine],
            cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"rawsock pipeline failed (exit {result.ExitCode}): {result.Stderr}");
        }

        var elapsedNs = double.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture);
        return total / (elapsedNs / 1e9);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Agor.Bench.Measurement;
using Agor.Bench.Processes;
using Agor.Protocol.Wire;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// Figure 1: from a <c>report_message</c> leaving the executor to an SSE client of the daemon
/// receiving it, for streaming deltas (<c>message.delta</c>, broadcast only) and stored messages
/// (<c>message.created</c>, written to SQLite first). The fake executor stamps each message with
/// CLOCK_MONOTONIC just before sending; the bench stamps the read that brought the event. Baseline:
/// the same fake executor sending the same messages straight to the bench over its Unix socket,
/// read by the same line reader (one hop, no daemon).
/// </summary>
internal sealed class RelayLatencyFigures(DaemonContext context)
{
    public const int Messages = 2_200;
    public const int SkipFirst = 200;
    public const int StoredEvery = 4;
    public const int IntervalUs = 1_000;
    private const double P50TargetMs = 2;
    private const double P99TargetMs = 20;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken)
    {
        var wrapper = FakeExecutor.WriteWrapper(context.WorkDirectory, "executor-burst", ["--pattern", "burst", "--count", Messages.ToString(CultureInfo.InvariantCulture), "--interval-us", IntervalUs.ToString(CultureInfo.InvariantCulture), "--stored-every", StoredEvery.ToString(CultureInfo.InvariantCulture)]);
        context.Log.WriteLine($"relay: {Messages} report_message per task, one per {IntervalUs} µs, every {StoredEvery}th stored (assistant_message), the rest content_block_delta; first {SkipFirst} of each task not counted; one warm-up task, then one measured, each side ...");

        Samples agor;
        await using (var daemon = await BenchDaemon.StartAsync(wrapper, ["max_executors: 2"], cancellationToken))
        {
            var session = (await daemon.CreateSessionAsync(context.WorkDirectory)).GetProperty("id").GetString()!;
            _ = await ThroughDaemonAsync(daemon, session, cancellationToken);
            agor = await ThroughDaemonAsync(daemon, session, cancellationToken);
        }

        _ = await DirectAsync(wrapper, cancellationToken);
        var raw = await DirectAsync(wrapper, cancellationToken);

        var agorDelta = new Stats(agor.Deltas);
        var agorStored = new Stats(agor.Stored);
        var rawDelta = new Stats(raw.Deltas);
        var rawStored = new Stats(raw.Stored);
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"relay: daemon {agor.Deltas.Count} deltas p50 {agorDelta.P50:0.000} p99 {agorDelta.P99:0.000} max {agorDelta.Max:0.0} ms, {agor.Stored.Count} stored p50 {agorStored.P50:0.000} p99 {agorStored.P99:0.000} max {agorStored.Max:0.0} ms; raw p50 {rawDelta.P50:0.000} p99 {rawDelta.P99:0.000} ms"));

        table.Add(Row("report_message → SSE, delta (message.delta) p50", agorDelta.P50, rawDelta.P50, P50TargetMs));
        table.Add(Row("report_message → SSE, delta (message.delta) p99", agorDelta.P99, rawDelta.P99, P99TargetMs));
        table.Add(Row("report_message → SSE, stored (message.created) p50", agorStored.P50, rawStored.P50, P50TargetMs));
        table.Add(Row("report_message → SSE, stored (message.created) p99", agorStored.P99, rawStored.P99, P99TargetMs));
    }

    private static Figure Row(string name, double agor, double raw, double target) =>
        new(name, Units.MillisecondsFine(agor), Units.MillisecondsFine(raw), $"≤ {target:0} ms", agor <= target);

    /// <summary>One task through the daemon; an SSE client of the session notes each event's arrival.</summary>
    private static async Task<Samples> ThroughDaemonAsync(Agor.Testing.Daemon.DaemonProcess daemon, string session, CancellationToken cancellationToken)
    {
        var samples = new Samples();
        var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? taskId = null;
        await using var sse = await TimedSseStream.ConnectAsync(
            daemon.Http,
            session,
            arrival =>
            {
                switch (arrival.Type)
                {
                    case "message.delta" or "message.created":
                        var data = arrival.Data;
                        samples.Add(data.GetProperty("event_type").GetString() == EventTypes.AssistantMessage, data.GetProperty("task_sequence").GetInt64(), data.GetProperty("event_data"), arrival.ReceivedAt);
                        break;
                    case "task.updated" when arrival.Data.GetProperty("id").GetString() == Volatile.Read(ref taskId) && arrival.Data.GetProperty("status").GetString() is { } status && PromptThroughDaemonFigures.IsFinal(status):
                        ended.TrySetResult(status);
                        break;
                }
            },
            cancellationToken);
        var task = await daemon.PromptAsync(session, "stream for the bench");
        Volatile.Write(ref taskId, task.GetProperty("id").GetString());

        var status = await ended.Task.WaitAsync(RunTimeout, cancellationToken);
        if (status != "completed")
        {
            throw new InvalidOperationException($"The relay task ended {status}. Daemon log:\n{daemon.Log}");
        }

        await samples.WaitAllAsync("daemon", cancellationToken);
        return samples;
    }

    /// <summary>The baseline: the fake executor started by the bench, which plays the daemon on a raw socket and reads the lines itself.</summary>
    private async Task<Samples> DirectAsync(string wrapper, CancellationToken cancellationToken)
    {
        var socketPath = SocketPaths.Next("relay");
        await using var executor = HelperProcess.Start(wrapper, ["--socket", socketPath], socketPath, new Dictionary<string, string> { ["DOTNET_ROOT"] = BenchDaemon.DotnetRoot });
        await executor.WaitForLineAsync("agor-executor ready", cancellationToken);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var execute = JsonSerializer.Serialize(new ExecutePromptParams { SessionToken = "st_bench", SessionId = "ses_bench", TaskId = "task_bench", Prompt = "stream for the bench", Cwd = context.WorkDirectory }, ProtocolJsonContext.Default.ExecutePromptParams);
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"execute_prompt\",\"params\":{execute}}}\n"), cancellationToken);

        var samples = new Samples();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        await new TimedLineReader(stream).ReadAsync(
            (line, received) =>
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (!root.TryGetProperty("method", out var method))
                {
                    return true;
                }

                if (method.ValueEquals(Methods.ReportMessage.Name))
                {
                    var p = root.GetProperty("params");
                    samples.Add(p.GetProperty("event_type").GetString() == EventTypes.AssistantMessage, p.GetProperty("sequence").GetInt64(), p.GetProperty("event_data"), received);
                    return true;
                }

                // report_completion: the run is over; closing the socket ends the fake executor.
                return !method.ValueEquals(Methods.ReportCompletion.Name);
            },
            timeout.Token);
        socket.Shutdown(SocketShutdown.Both);
        await samples.WaitAllAsync("raw", cancellationToken);
        return samples;
    }

    /// <summary>Latencies in milliseconds, deltas and stored messages apart; the first <see cref="SkipFirst"/> of a task are not kept.</summary>
    private sealed class Samples
    {
        private readonly ConcurrentQueue<double> _deltas = new();
        private readonly ConcurrentQueue<double> _stored = new();
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        public ConcurrentQueue<double> Deltas => _deltas;

        public ConcurrentQueue<double> Stored => _stored;

        public void Add(bool stored, long sequence, JsonElement eventData, long receivedAt)
        {
            if (Interlocked.Increment(ref _seen) == Messages)
            {
                _all.TrySetResult();
            }

            if (sequence <= SkipFirst)
            {
                return;
            }

            var sent = eventData.GetProperty(FakeExecutor.SentProperty).GetInt64();
            var milliseconds = Stopwatch.GetElapsedTime(sent, receivedAt).TotalMilliseconds;
            (stored ? _stored : _deltas).Enqueue(milliseconds);
        }

        /// <summary>The task's end can overtake its last events by a moment (stored ones are written first); waits for them briefly.</summary>
        public async Task WaitAllAsync(string side, CancellationToken cancellationToken)
        {
            try
            {
                await _all.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException($"{side}: {Volatile.Read(ref _seen)} of {Messages} messages arrived.");
            }
        }
    }
}

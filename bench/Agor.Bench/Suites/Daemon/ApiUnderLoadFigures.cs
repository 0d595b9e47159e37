using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Agor.Bench.Measurement;
using Agor.Testing.Daemon;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// Figure 3: how fast the API answers while 50 sessions stream at once. One daemon, 50 sessions,
/// each with a running task whose (fake) executor sends a <c>content_block_delta</c> every
/// <see cref="StreamIntervalUs"/> µs, and one SSE client reading every event (a UI). Sequential
/// <c>GET /sessions</c> and <c>GET /tasks/{id}</c> (a different task each time) on one keep-alive
/// connection, alternating. Baseline: the same GETs on the same daemon once every task is stopped
/// and the executors are gone (idle, the same sessions and tasks in the database).
/// </summary>
internal sealed class ApiUnderLoadFigures(DaemonContext context)
{
    public const int Sessions = 50;
    public const int StreamIntervalUs = 20_000;
    public const int Requests = 400;
    private const int Warmup = 50;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken)
    {
        var wrapper = FakeExecutor.WriteWrapper(context.WorkDirectory, "executor-stream", ["--pattern", "stream", "--interval-us", StreamIntervalUs.ToString(CultureInfo.InvariantCulture)]);
        context.Log.WriteLine($"load: {Sessions} sessions, each a task streaming a delta every {StreamIntervalUs / 1000} ms ({Sessions * 1_000_000 / StreamIntervalUs:#,0} deltas/s in all), one SSE client on /events; {Requests} GET /sessions and {Requests} GET /tasks/{{id}} after {Warmup} warm-up each, under load and then idle ...");
        await using var daemon = await BenchDaemon.StartAsync(wrapper, [$"max_executors: {Sessions + 10}", "connection_timeout_ms: 30000"], cancellationToken);

        var sessions = new List<string>(Sessions);
        for (var i = 0; i < Sessions; i++)
        {
            sessions.Add((await daemon.CreateSessionAsync(context.WorkDirectory)).GetProperty("id").GetString()!);
        }

        var streaming = new HashSet<string>(StringComparer.Ordinal);
        var allStreaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long deltas = 0;
        await using var sse = await TimedSseStream.ConnectAsync(
            daemon.Http,
            null,
            arrival =>
            {
                if (arrival.Type != "message.delta")
                {
                    return;
                }

                Interlocked.Increment(ref deltas);
                if (!allStreaming.Task.IsCompleted && streaming.Add(arrival.Data.GetProperty("task_id").GetString()!) && streaming.Count == Sessions)
                {
                    allStreaming.TrySetResult();
                }
            },
            cancellationToken);

        var clock = Stopwatch.StartNew();
        var tasks = new List<string>(Sessions);
        foreach (var session in sessions)
        {
            tasks.Add((await daemon.PromptAsync(session, "stream until stopped")).GetProperty("id").GetString()!);
        }

        try
        {
            await allStreaming.Task.WaitAsync(StartTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"Only {streaming.Count} of {Sessions} tasks streamed within {StartTimeout.TotalSeconds:0} s. Daemon log:\n{Tail(daemon.Log)}");
        }

        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: all {Sessions} tasks streaming {clock.Elapsed.TotalSeconds:0.0} s after the first prompt"));
        var deltasBefore = Interlocked.Read(ref deltas);
        var daemonCpuBefore = CpuSeconds(daemon.Pid);
        var loadAverage = Measurement.BenchInfo.LoadAverage();
        clock.Restart();
        var loaded = await MeasureGetsAsync(daemon, tasks, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        var daemonCpu = (CpuSeconds(daemon.Pid) - daemonCpuBefore) / seconds;
        var deltaRate = (Interlocked.Read(ref deltas) - deltasBefore) / seconds;
        var running = (await daemon.GetAsync("/executors")).GetArrayLength();

        // Stop every task, wait until the pool is empty: the same daemon, idle. A task that already
        // ended under the load (409) is counted and said, not fatal to the suite.
        var stops = await Task.WhenAll(tasks.Select(t => daemon.Http.PostAsync($"/tasks/{t}/stop", null, cancellationToken)));
        var endedEarly = stops.Count(r => r.StatusCode == System.Net.HttpStatusCode.Conflict);
        if (stops.FirstOrDefault(r => !r.IsSuccessStatusCode && r.StatusCode != System.Net.HttpStatusCode.Conflict) is { } failed)
        {
            throw new InvalidOperationException($"POST /tasks/{{id}}/stop answered {(int)failed.StatusCode}: {await failed.Content.ReadAsStringAsync(cancellationToken)}");
        }

        foreach (var stop in stops)
        {
            stop.Dispose();
        }

        if (endedEarly > 0)
        {
            context.Log.WriteLine($"load: {endedEarly} of {Sessions} tasks had already ended (failed under the load) when the bench stopped them");
        }

        await WaitForNoExecutorsAsync(daemon, cancellationToken);
        var idle = await MeasureGetsAsync(daemon, tasks, cancellationToken);

        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: {running} executors during the measurement, the SSE client received {deltaRate:#,0} deltas/s over its {seconds:0.0} s, the daemon used {daemonCpu:0.00} CPUs, load average {loadAverage} at its start"));
        foreach (var (name, key) in new[] { ("GET /sessions", "sessions"), ("GET /tasks/{id}", "task") })
        {
            var underLoad = new Stats(loaded[key]);
            var atRest = new Stats(idle[key]);
            table.Add(new Figure($"{name} p50 while {Sessions} sessions stream", Units.MillisecondsFine(underLoad.P50), Units.MillisecondsFine(atRest.P50) + " (idle)", "-", null));
            table.Add(new Figure($"{name} p99 while {Sessions} sessions stream", Units.MillisecondsFine(underLoad.P99), Units.MillisecondsFine(atRest.P99) + " (idle)", "-", null));
        }

        table.Note(string.Create(CultureInfo.InvariantCulture, $"API under load: {Sessions} sessions, each with a running task whose fake executor (the bench's daemon-executor mode, JIT) sends a content_block_delta every {StreamIntervalUs / 1000} ms until stopped; max_executors {Sessions + 10}; one SSE client on /events reading everything (it received {deltaRate:#,0} deltas/s during the measurement, {running} executors live; the daemon process used {daemonCpu:0.00} of {Environment.ProcessorCount} CPUs, from /proc/PID/stat; load average {loadAverage} when it began). {Requests} GET /sessions ({Sessions} sessions listed) and {Requests} GET /tasks/{{id}} (cycling through the {Sessions} tasks), sequential and alternating on one keep-alive connection, after {Warmup} warm-up each; timed from before SendAsync to the body read. Baseline: the same requests on the same daemon after every task was stopped and its executor had exited. No target was given for this figure."));
    }

    private static async Task<Dictionary<string, List<double>>> MeasureGetsAsync(DaemonProcess daemon, List<string> tasks, CancellationToken cancellationToken)
    {
        var samples = new Dictionary<string, List<double>> { ["sessions"] = new(Requests), ["task"] = new(Requests) };
        for (var i = 0; i < Warmup + Requests; i++)
        {
            var sessions = await TimeGetAsync(daemon.Http, "/sessions", cancellationToken);
            var task = await TimeGetAsync(daemon.Http, $"/tasks/{tasks[i % tasks.Count]}", cancellationToken);
            if (i >= Warmup)
            {
                samples["sessions"].Add(sessions);
                samples["task"].Add(task);
            }
        }

        return samples;
    }

    private static async Task<double> TimeGetAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var elapsed = Stats.MillisecondsSince(start);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return elapsed;
    }

    private static async Task WaitForNoExecutorsAsync(DaemonProcess daemon, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var executors = await daemon.GetAsync("/executors");
            if (executors.ValueKind == JsonValueKind.Array && executors.GetArrayLength() == 0)
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"{executors.GetArrayLength()} executors still live 30 s after every task was stopped.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>utime + stime of a process from /proc/PID/stat, in seconds (USER_HZ is 100 on Linux).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;
}

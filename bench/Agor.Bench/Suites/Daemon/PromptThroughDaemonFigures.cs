using System.Diagnostics;
using System.Globalization;
using Agor.Bench.Measurement;
using Agor.Bench.Native;
using Agor.Bench.Processes;
using Agor.Bench.Setup;
using Agor.Bench.Suites.Prompt;
using Agor.Bench.Suites.Sandbox;
using Agor.Daemon.Executors;
using Agor.Testing.Daemon;
using Agor.Testing.ScriptedModel;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// Figure 2: a prompt through the whole daemon, <c>POST /sessions/{id}/prompt</c> to the first
/// <c>message.delta</c> carrying a text <c>content_block_delta</c> on the session's SSE stream,
/// with the real Claude Code CLI and the native executor, beside the same CLI run directly (the
/// prompt suite's <see cref="DirectPromptRun"/>), all answered by one scripted model server. Two
/// daemons with the default pool (<c>warm_executors: 0</c>: every prompt starts its executor): one
/// running executors as its own user, one with <c>run_as_unix_user: true</c> (through sudo, as
/// <c>agor_executor</c>).
/// </summary>
internal sealed class PromptThroughDaemonFigures(DaemonContext context, string claudePath, int iterations)
{
    public const string ExecutorUser = "agor_executor";
    private const int Warmup = 1;
    private const double OverheadTargetMs = 50;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken)
    {
        await using var model = await ScriptedModelServer.StartAsync(cancellationToken);
        var prompt = new PromptContext(context.ExecutorPath, claudePath, model, context.Log);
        var (sudoUser, sudoSkip) = await PrepareSudoAsync(cancellationToken);

        await using var own = await BenchDaemon.StartAsync(context.ExecutorPath, model.BaseUrl, claudePath, prompt.ApiKey, [], cancellationToken);
        // The same daemon with the sandbox off, for the sandbox's cost through the daemon; its home lies in the suite's scratch directory, deleted at the end.
        var offHome = Directory.CreateDirectory(Path.Combine(context.WorkDirectory, "home-sandbox-off")).FullName;
        File.SetUnixFileMode(offHome, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var off = await BenchDaemon.StartAsync(context.ExecutorPath, model.BaseUrl, claudePath, prompt.ApiKey, [], cancellationToken, sandbox: ["mode: off"], home: offHome);
        await using var sudo = sudoUser is null ? null : await BenchDaemon.StartAsync(context.ExecutorPath, model.BaseUrl, claudePath, prompt.ApiKey, ["run_as_unix_user: true", $"executor_unix_user: {ExecutorUser}"], cancellationToken);
        var baselineHome = Directory.CreateTempSubdirectory("agor-bench-daemon-home-").FullName;
        try
        {
            var sides = new List<(string Name, Func<Task<PromptTimes>> Run)>
            {
                ("direct", () => DirectAsync(prompt, baselineHome, cancellationToken)),
                ("daemon", () => ThroughDaemonAsync(own, prompt, null, "daemon", cancellationToken)),
                ("daemon, sandbox off", () => ThroughDaemonAsync(off, prompt, null, "daemon, sandbox off", cancellationToken)),
            };
            if (sudo is not null)
            {
                sides.Add(("daemon+sudo", () => ThroughDaemonAsync(sudo, prompt, sudoUser, "daemon+sudo", cancellationToken)));
            }

            context.Log.WriteLine($"prompt: {iterations} iterations after {Warmup} warm-up, {string.Join(", ", sides.Select(s => s.Name))} in turn (which goes first rotates) ...");
            var times = sides.ToDictionary(s => s.Name, _ => new List<PromptTimes>(iterations));
            for (var i = 0; i < Warmup + iterations; i++)
            {
                var line = new List<string>();
                for (var k = 0; k < sides.Count; k++)
                {
                    var (name, run) = sides[(i + k) % sides.Count];
                    var t = await run();
                    line.Add(string.Create(CultureInfo.InvariantCulture, $"{name} delta {t.FirstDeltaMs:0.0} (model request {t.RequestMs:0.0}{(t.ApiKeyMs is { } key ? $", get_api_key {key:0.0}" : string.Empty)}) done {t.CompletionMs:0.0}"));
                    if (i >= Warmup)
                    {
                        times[name].Add(t);
                    }
                }

                var label = i < Warmup ? $"warm-up {i + 1}/{Warmup}" : $"{i - Warmup + 1}/{iterations}";
                context.Log.WriteLine($"  {label}: {string.Join(" | ", line)} ms");
            }

            if (sudo is not null && !sudo.Log.Contains($"executors run as {ExecutorUser} through sudo", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The run_as_unix_user daemon did not run its executors through sudo:\n{sudo.Log}");
            }

            Tabulate(table, times["direct"], times["daemon"], "own user");
            SandboxOverheadRows.Add(table, times["daemon, sandbox off"], times["daemon"], "through the daemon, own user");
            if (sudo is not null)
            {
                Tabulate(table, times["direct"], times["daemon+sudo"], $"sudo as {ExecutorUser}");
            }
            else
            {
                table.Add(Figure.Skip($"daemon overhead, first text delta, sudo as {ExecutorUser}", sudoSkip!));
            }
        }
        finally
        {
            Directory.Delete(baselineHome, recursive: true);
        }

        table.Note($"prompt through the daemon: clock from before POST /sessions/{{id}}/prompt to the SSE client of the session (connected before) receiving the first message.delta whose event_data is a stream_event content_block_delta, and to task.updated with status completed. Real agor daemon processes (own user; run_as_unix_user true, executor_unix_user {ExecutorUser}), default pool (warm_executors 0: each prompt starts its native executor, through sudo in the second), the real Claude Code CLI, a fresh session and working directory each run (chowned to {ExecutorUser} for sudo), HOME kept across runs (the daemon's; {ExecutorUser}'s home through sudo). Prompt, answer and scripted server as in the prompt suite.");
        table.Note("baseline: the prompt suite's direct run (the same claude arguments, the same user message on stdin, stdout parsed), one HOME kept across its runs as the daemons' are, a fresh working directory each run; clock from before Process.Start. The daemon's agent also gets USER/LOGNAME (and through sudo its user's HOME) in its environment.");
        table.Note($"sandbox through the daemon: the own-user daemon runs with the default sandbox.mode (auto: confined where the machine allows, in bwrap with the task's cgroup) beside a third daemon with sandbox.mode off, same pool and settings otherwise; whether each run was confined is read from the task's record (GET /tasks/{{id}} sandbox). The 'sandbox overhead' rows are p50 − p50 of the two, target ≤ {SandboxOverheadRows.TargetMs:0} ms.");
        table.Note($"overhead: p50 − p50, target ≤ {OverheadTargetMs:0} ms, bracketed: bootstrap 95% interval. Without CLI start-up = 'prompt → get_api_key' p50 (the daemon's steps, the executor's start (through sudo), its connection and ping, execute_prompt, get_execution_context, get_api_key: the time of the get_api_key audit entry, written just before the key is sent, read from GET /audit against the run's wall clock) + (daemon − direct) p50 of 'model request → first text delta' (from the moment the CLI's request reached the scripted server). Not in it: the executor's Process.Start of the CLI against the bench's, assumed alike.");
    }

    private static void Tabulate(ResultTable table, List<PromptTimes> direct, List<PromptTimes> agor, string label)
    {
        var agorDelta = new Stats(agor.Select(t => t.FirstDeltaMs));
        var directDelta = new Stats(direct.Select(t => t.FirstDeltaMs));
        var agorDone = new Stats(agor.Select(t => t.CompletionMs));
        var directDone = new Stats(direct.Select(t => t.CompletionMs));
        table.Add(new Figure($"prompt → first text delta on SSE p50, {label}", Units.Milliseconds(agorDelta.P50), Units.Milliseconds(directDelta.P50), "-", null));
        table.Add(new Figure($"prompt → first text delta on SSE p95, {label}", Units.Milliseconds(agorDelta.P95), Units.Milliseconds(directDelta.P95), "-", null));
        table.Add(new Figure($"prompt → completed on SSE p50, {label} (baseline: result line)", Units.Milliseconds(agorDone.P50), Units.Milliseconds(directDone.P50), "-", null));
        var overhead = agorDelta.P50 - directDelta.P50;
        var (low, high) = Bootstrap.MedianDifference95([.. agor.Select(t => t.FirstDeltaMs)], [.. direct.Select(t => t.FirstDeltaMs)]);
        table.Add(new Figure($"daemon overhead, first text delta (p50 − p50), {label}", $"{Signed(overhead)} [{Signed(low)} … {Signed(high)}]", "0 (direct)", $"≤ {OverheadTargetMs:0} ms", overhead <= OverheadTargetMs));

        var apiKey = new Stats(agor.Select(t => t.ApiKeyMs ?? double.NaN));
        var agorRelay = new Stats(agor.Select(t => t.FirstDeltaMs - t.RequestMs));
        var directRelay = new Stats(direct.Select(t => t.FirstDeltaMs - t.RequestMs));
        table.Add(new Figure($"prompt → get_api_key p50 (daemon + executor start before the CLI), {label}", Units.Milliseconds(apiKey.P50), "0 (starts the CLI)", "-", null));
        table.Add(new Figure($"model request → first text delta p50, {label}", Units.Milliseconds(agorRelay.P50), Units.Milliseconds(directRelay.P50), "-", null));
        var steady = apiKey.P50 + agorRelay.P50 - directRelay.P50;
        table.Add(new Figure($"daemon overhead without CLI start-up, first text delta, {label}", Signed(steady), "0 (direct)", $"≤ {OverheadTargetMs:0} ms", steady <= OverheadTargetMs));
    }

    public static bool IsFinal(string status) => status is "completed" or "failed" or "cancelled";

    private static string Signed(double milliseconds) => (milliseconds >= 0 ? "+" : string.Empty) + Units.Milliseconds(milliseconds);

    private static async Task<PromptTimes> DirectAsync(PromptContext prompt, string home, CancellationToken cancellationToken)
    {
        using var sandbox = PromptSandbox.WithHome(home);
        prompt.EnqueueAnswer();
        var times = await DirectPromptRun.RunAsync(prompt, sandbox, cancellationToken);
        prompt.RequireAnswerTaken("direct");
        return times;
    }

    private static async Task<PromptTimes> ThroughDaemonAsync(DaemonProcess daemon, PromptContext prompt, UnixUser? owner, string side, CancellationToken cancellationToken)
    {
        var cwd = Directory.CreateTempSubdirectory("agor-bench-daemon-work-").FullName;
        try
        {
            if (owner is not null && Libc.chown(cwd, (uint)owner.Uid, (uint)owner.Gid) != 0)
            {
                throw new InvalidOperationException($"chown {cwd} to {owner.Name} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
            }

            var session = (await daemon.CreateSessionAsync(cwd)).GetProperty("id").GetString()!;
            var firstDelta = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var ended = new TaskCompletionSource<(string Status, long At)>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var sse = await TimedSseStream.ConnectAsync(
                daemon.Http,
                session,
                arrival =>
                {
                    switch (arrival.Type)
                    {
                        case "message.delta" when StreamFrames.IsContentBlockDelta(arrival.Data.GetProperty("event_data")):
                            firstDelta.TrySetResult(arrival.ReceivedAt);
                            break;
                        case "task.updated" when arrival.Data.GetProperty("status").GetString() is { } status && IsFinal(status):
                            ended.TrySetResult((status, arrival.ReceivedAt));
                            break;
                    }
                },
                cancellationToken);

            prompt.EnqueueAnswer();
            var startUtc = DateTimeOffset.UtcNow;
            var start = Stopwatch.GetTimestamp();
            var task = (await daemon.PromptAsync(session, PromptContext.Prompt)).GetProperty("id").GetString()!;
            (string Status, long At) end;
            long delta;
            try
            {
                end = await ended.Task.WaitAsync(RunTimeout, cancellationToken);
                delta = firstDelta.Task.IsCompleted ? await firstDelta.Task : throw new InvalidOperationException($"{side}: the task ended {end.Status} without a text delta on SSE. Task: {await daemon.GetAsync($"/tasks/{task}")}");
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"{side}: the task did not end within {RunTimeout.TotalSeconds:0} s. Daemon log:\n{daemon.Log}");
            }

            if (end.Status != "completed")
            {
                throw new InvalidOperationException($"{side}: the task ended {end.Status}: {await daemon.GetAsync($"/tasks/{task}")}");
            }

            prompt.RequireAnswerTaken(side);
            var audit = await daemon.GetAsync("/audit?limit=100");
            var keyAt = audit.EnumerateArray()
                .Where(e => e.GetProperty("method").GetString() == "get_api_key" && e.GetProperty("task_id").GetString() == task && e.GetProperty("outcome").GetString() == "ok")
                .Select(e => e.GetProperty("time").GetDateTimeOffset())
                .DefaultIfEmpty(DateTimeOffset.MinValue)
                .Min();
            if (keyAt == DateTimeOffset.MinValue)
            {
                throw new InvalidOperationException($"{side}: no get_api_key audit entry for {task}.");
            }

            var record = await daemon.GetAsync($"/tasks/{task}");
            var report = record.TryGetProperty("sandbox", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.Object ? s : (System.Text.Json.JsonElement?)null;
            return new PromptTimes(
                prompt.RequestOffsetMs(startUtc),
                Stopwatch.GetElapsedTime(start, delta).TotalMilliseconds,
                Stopwatch.GetElapsedTime(start, end.At).TotalMilliseconds,
                ApiKeyMs: (keyAt - startUtc).TotalMilliseconds,
                Confined: report?.GetProperty("confined").GetBoolean(),
                SandboxNote: report is { } r ? (r.TryGetProperty("reason", out var reason) && reason.ValueKind == System.Text.Json.JsonValueKind.String ? reason.GetString() : r.GetProperty("mechanism").GetString()) : "the task has no sandbox record");
        }
        finally
        {
            try
            {
                Directory.Delete(cwd, recursive: true);
            }
            catch (IOException)
            {
                // The CLI's last write; the directory is in /tmp either way.
            }
        }
    }

    /// <summary>Root with sudo: the executor user exists (created when missing), and it can run the executor and the CLI.</summary>
    private async Task<(UnixUser? User, string? Skip)> PrepareSudoAsync(CancellationToken cancellationToken)
    {
        if (Libc.geteuid() != 0)
        {
            return (null, "not running as root");
        }

        if (CommandLine.Find("sudo") is null)
        {
            return (null, "sudo is not installed");
        }

        if (UnixUser.Find(ExecutorUser) is null)
        {
            var created = await CommandLine.RunAsync("useradd", ["--system", "--create-home", "--shell", "/bin/sh", ExecutorUser], cancellationToken: cancellationToken);
            if (!created.Succeeded)
            {
                return (null, $"useradd {ExecutorUser} failed: {created.Stderr.Trim()}");
            }

            context.Log.WriteLine($"sudo: created the system user {ExecutorUser}");
        }

        foreach (var binary in new[] { context.ExecutorPath, claudePath })
        {
            var target = new FileInfo(binary).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? binary;
            if (SudoTarget.FindUnreachable(target) is { } problem)
            {
                return (null, $"{ExecutorUser} cannot run {target}: {problem}");
            }
        }

        var user = UnixUser.Find(ExecutorUser)!;
        return Directory.Exists(user.Home) ? (user, null) : (null, $"{ExecutorUser} has no home directory ({user.Home}); the CLI needs one");
    }
}

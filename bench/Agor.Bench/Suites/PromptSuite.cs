using System.Diagnostics;
using System.Globalization;
using Agor.Bench.Measurement;
using Agor.Bench.Processes;
using Agor.Bench.Setup;
using Agor.Bench.Suites.Prompt;
using Agor.Bench.Suites.Sandbox;
using Agor.Protocol.Wire;
using Agor.Testing.ScriptedModel;
using Agor.Testing.Support;

namespace Agor.Bench.Suites;

/// <summary>
/// The <c>prompt</c> suite: what the executor adds to a prompt's latency, against the same Claude
/// Code command run directly in the same run, both answered by the same scripted model server.
/// </summary>
internal static class PromptSuite
{
    public const int DefaultIterations = 20;
    private const int Warmup = 2;
    private const double OverheadTargetMs = 15;

    public static async Task<int> RunAsync(TextWriter output, int iterations = DefaultIterations, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var clock = Stopwatch.StartNew();
        var layout = RepoLayout.Find();
        var executor = await NativeExecutor.EnsureAsync(layout, output, cancellationToken);
        string claude;
        try
        {
            claude = ClaudeCli.Require();
        }
        catch (InvalidOperationException ex)
        {
            output.WriteLine($"prompt: {ex.Message}");
            return 2;
        }

        var version = await CommandLine.RunAsync(claude, ["--version"], cancellationToken: cancellationToken);
        output.WriteLine($"claude: {claude} ({version.Stdout.Trim()})");
        output.WriteLine($"bench: {(Debugger.IsAttached ? "debugger attached, " : string.Empty)}{BenchInfo.BuildConfiguration()} build, {Environment.ProcessorCount} CPUs, load average {BenchInfo.LoadAverage()} (other work on the machine moves the figures)");

        await using var model = await ScriptedModelServer.StartAsync(cancellationToken);
        var context = new PromptContext(executor, claude, model, output);

        output.WriteLine("prompt: check run (paced answer, not measured): the agent the executor starts has the baseline's argv, environment and cwd ...");
        await CheckSameCommandAsync(context, cancellationToken);
        var requestsBefore = model.Requests.Count;

        output.WriteLine($"prompt: {iterations} iterations after {Warmup} warm-up, executor (sandbox off), executor (sandbox auto) and direct CLI in turn (which goes first rotates) ...");
        var agor = new List<PromptTimes>(iterations);
        var confined = new List<PromptTimes>(iterations);
        var direct = new List<PromptTimes>(iterations);
        var sides = new (string Name, List<PromptTimes> Into, Func<PromptSandbox, Task<PromptTimes>> Run)[]
        {
            ("executor", agor, s => MeasureExecutorAsync(context, s, Off, cancellationToken)),
            ("sandboxed", confined, s => MeasureExecutorAsync(context, s, Confined(s), cancellationToken)),
            ("direct", direct, s => MeasureDirectAsync(context, s, cancellationToken)),
        };
        for (var i = 0; i < Warmup + iterations; i++)
        {
            var times = new Dictionary<string, PromptTimes>();
            for (var k = 0; k < sides.Length; k++)
            {
                var side = sides[(i + k) % sides.Length];
                using var sandbox = PromptSandbox.Create();
                times[side.Name] = await side.Run(sandbox);
            }

            var (a, c, d) = (times["executor"], times["sandboxed"], times["direct"]);
            var label = i < Warmup ? $"warm-up {i + 1}/{Warmup}" : $"{i - Warmup + 1}/{iterations}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: executor get_api_key {a.ApiKeyMs:0.0}, model request {a.RequestMs:0.0}, delta {a.FirstDeltaMs:0.0}, completion {a.CompletionMs:0.0} ms | sandboxed ({(c.Confined == true ? "confined" : "NOT confined")}) delta {c.FirstDeltaMs:0.0}, completion {c.CompletionMs:0.0} ms | direct model request {d.RequestMs:0.0}, delta {d.FirstDeltaMs:0.0}, result {d.CompletionMs:0.0}, exit {d.ExitMs:0.0} ms"));
            if (i >= Warmup)
            {
                foreach (var side in sides)
                {
                    side.Into.Add(times[side.Name]);
                }
            }
        }

        var requestKinds = model.Requests.Skip(requestsBefore).GroupBy(r => $"{r.Method} {r.Path} ({r.Kind})").Select(g => $"{g.Count()}× {g.Key}");
        var table = Tabulate(agor, direct);
        SandboxOverheadRows.Add(table, agor, confined, "executor");
        await new BwrapTrueFigures(output, claude).MeasureAsync(table, cancellationToken);
        table.Note($"Every run: a fresh HOME and working directory (temp dirs, deleted after), prompt \"{PromptContext.Prompt}\", permission mode {PromptContext.PermissionMode}, the scripted server answering \"{string.Concat(PromptContext.AnswerChunks)}\" as {PromptContext.AnswerChunks.Length} text deltas back to back. Requests the CLI made over the warm-up and measured runs: {string.Join(", ", requestKinds)}.");
        table.Note("executor: a fresh native executor per run (started with a cleared environment: PATH, HOME, LANG), connected and pinged before the clock; the bench plays the daemon (answers get_execution_context, get_api_key). Clock from just before execute_prompt is sent to the first report_message whose event_data is a stream_event content_block_delta, and to report_completion. The executor reports completion at the CLI's result line (and closes its stdin; the CLI then exits on its own).");
        table.Note("baseline: the same claude command line, environment and cwd (checked against the executor's agent in /proc before the measured runs), started as the executor starts it, the same user message line on stdin, stdout parsed line by line. Clock from just before Process.Start to the first content_block_delta line and to the result line; then stdin is closed and the exit timed ('CLI exit' row).");
        table.Note($"overhead: p50 of the executor minus p50 of the baseline, target ≤ {OverheadTargetMs:0} ms for each figure; met or missed is decided on that difference. In brackets: its bootstrap 95% interval (both sides resampled 5,000 times), since the CLI's own start-up spreads the samples far more than the target. The completion overhead includes the CLI's exit after the result, which the direct run's result line does not: compare the 'CLI exit' rows.");
        table.Note("without CLI start-up: the CLI takes 0.5–1 s to start and that time spreads by ±100 ms from run to run, so a p50 difference of whole runs cannot resolve 15 ms. These rows take the start-up out: 'prompt → get_api_key' is the executor's work before it starts the CLI (execute_prompt, get_execution_context, get_api_key round trips; the CLI is started right after the key arrives), and 'model request → …' starts at the moment the CLI's conversation request reached the scripted server (its wall-clock stamp, read against the run's start), so it holds only the model's answer, the CLI's handling and what lies between the CLI and the reader. Overhead without start-up = get_api_key p50 + (executor − baseline) p50 of the 'model request →' figure. Not in it: the executor's Process.Start against the bench's, both .NET, assumed alike.");

        table.Note($"sandbox: the executor side twice, execute_prompt.sandbox mode off (baseline) and mode auto (bwrap on PATH, a fresh agent home per run as a new session's first task has, no cgroup: the daemon makes those), each run a fresh executor and directories; the 'sandbox overhead' rows are p50 − p50 of the two, target ≤ {SandboxOverheadRows.TargetMs:0} ms, bracketed: bootstrap 95% interval, in parentheses: the ratio. Load average at the end: {BenchInfo.LoadAverage()}.");
        output.WriteLine();
        output.Write(table.Render());
        output.WriteLine();
        output.WriteLine($"prompt suite: {clock.Elapsed.TotalSeconds:0} s; executor {executor}; claude {claude}");
        return table.AllTargetsMet ? 0 : 1;
    }

    private static ResultTable Tabulate(List<PromptTimes> agor, List<PromptTimes> direct)
    {
        var agorDelta = new Stats(agor.Select(t => t.FirstDeltaMs));
        var agorDone = new Stats(agor.Select(t => t.CompletionMs));
        var directDelta = new Stats(direct.Select(t => t.FirstDeltaMs));
        var directDone = new Stats(direct.Select(t => t.CompletionMs));
        var directExit = new Stats(direct.Select(t => t.ExitMs ?? double.NaN));

        var table = new ResultTable();
        table.Add(new Figure("prompt → first text delta p50", Units.Milliseconds(agorDelta.P50), Units.Milliseconds(directDelta.P50), "-", null));
        table.Add(new Figure("prompt → first text delta p95", Units.Milliseconds(agorDelta.P95), Units.Milliseconds(directDelta.P95), "-", null));
        table.Add(new Figure("prompt → completion p50 (baseline: result line)", Units.Milliseconds(agorDone.P50), Units.Milliseconds(directDone.P50), "-", null));
        table.Add(new Figure("prompt → completion p95 (baseline: result line)", Units.Milliseconds(agorDone.P95), Units.Milliseconds(directDone.P95), "-", null));
        table.Add(new Figure("prompt → CLI exit p50 / p95 (baseline only)", "-", $"{Units.Milliseconds(directExit.P50)} / {Units.Milliseconds(directExit.P95)}", "-", null));

        var deltaOverhead = agorDelta.P50 - directDelta.P50;
        var doneOverhead = agorDone.P50 - directDone.P50;
        table.Add(new Figure("executor overhead, first text delta (p50 − p50)", WithInterval(deltaOverhead, agor.Select(t => t.FirstDeltaMs), direct.Select(t => t.FirstDeltaMs)), "0 (direct)", $"≤ {OverheadTargetMs:0} ms", deltaOverhead <= OverheadTargetMs));
        table.Add(new Figure("executor overhead, completion (p50 − p50)", WithInterval(doneOverhead, agor.Select(t => t.CompletionMs), direct.Select(t => t.CompletionMs)), "0 (direct)", $"≤ {OverheadTargetMs:0} ms", doneOverhead <= OverheadTargetMs));

        // The same overheads without the CLI's start-up in them: the executor's own steps before it
        // starts the CLI, plus what it adds after the CLI sent its request to the model.
        var apiKey = new Stats(agor.Select(t => t.ApiKeyMs ?? double.NaN));
        var agorRelay = new Stats(agor.Select(t => t.FirstDeltaMs - t.RequestMs));
        var directRelay = new Stats(direct.Select(t => t.FirstDeltaMs - t.RequestMs));
        var agorTail = new Stats(agor.Select(t => t.CompletionMs - t.RequestMs));
        var directTail = new Stats(direct.Select(t => t.CompletionMs - t.RequestMs));
        var directExitTail = new Stats(direct.Select(t => (t.ExitMs ?? double.NaN) - t.RequestMs));
        table.Add(new Figure("prompt → get_api_key (executor's steps before the CLI) p50", Units.Milliseconds(apiKey.P50), "0 (starts the CLI)", "-", null));
        table.Add(new Figure("model request → first text delta p50", Units.Milliseconds(agorRelay.P50), Units.Milliseconds(directRelay.P50), "-", null));
        table.Add(new Figure("model request → completion p50 (baseline: result line)", Units.Milliseconds(agorTail.P50), Units.Milliseconds(directTail.P50), "-", null));
        table.Add(new Figure("model request → completion p50 (baseline: CLI exit)", Units.Milliseconds(agorTail.P50), Units.Milliseconds(directExitTail.P50), "-", null));
        var deltaSteady = apiKey.P50 + agorRelay.P50 - directRelay.P50;
        var doneSteady = apiKey.P50 + agorTail.P50 - directTail.P50;
        table.Add(new Figure("overhead without CLI start-up, first text delta", Signed(deltaSteady), "0 (direct)", $"≤ {OverheadTargetMs:0} ms", deltaSteady <= OverheadTargetMs));
        table.Add(new Figure("overhead without CLI start-up, completion", Signed(doneSteady), "0 (direct)", $"≤ {OverheadTargetMs:0} ms", doneSteady <= OverheadTargetMs));
        return table;
    }

    /// <summary>The difference, and in brackets its bootstrap 95% interval: how much of it the spread of the samples could explain.</summary>
    private static string WithInterval(double difference, IEnumerable<double> agor, IEnumerable<double> baseline)
    {
        var (low, high) = Bootstrap.MedianDifference95([.. agor], [.. baseline]);
        return $"{Signed(difference)} [{Signed(low)} … {Signed(high)}]";
    }

    private static string Signed(double milliseconds) => (milliseconds >= 0 ? "+" : string.Empty) + Units.Milliseconds(milliseconds);

    private static readonly SandboxSpec Off = new() { Mode = SandboxModes.Off };

    /// <summary>What the daemon sends in auto mode for a session's first task: a home that does not exist yet, bwrap on PATH.</summary>
    private static SandboxSpec Confined(PromptSandbox sandbox) => new()
    {
        Mode = SandboxModes.Auto,
        BwrapPath = "bwrap",
        AgentHome = Path.Combine(Path.GetDirectoryName(sandbox.Home)!, "agent-home"),
    };

    private static async Task<PromptTimes> MeasureExecutorAsync(PromptContext context, PromptSandbox sandbox, SandboxSpec spec, CancellationToken cancellationToken)
    {
        await using var run = await ExecutorPromptRun.StartAsync(context, sandbox, cancellationToken);
        context.EnqueueAnswer();
        var times = await run.ExecuteAsync(sandbox: spec, cancellationToken: cancellationToken);
        context.RequireAnswerTaken(spec.Mode == SandboxModes.Off ? "executor" : "sandboxed");
        return times;
    }

    private static async Task<PromptTimes> MeasureDirectAsync(PromptContext context, PromptSandbox sandbox, CancellationToken cancellationToken)
    {
        context.EnqueueAnswer();
        var times = await DirectPromptRun.RunAsync(context, sandbox, cancellationToken);
        context.RequireAnswerTaken("direct");
        return times;
    }

    /// <summary>One executor run with a paced answer, so the agent lives long enough to be read from /proc.</summary>
    private static async Task CheckSameCommandAsync(PromptContext context, CancellationToken cancellationToken)
    {
        using var sandbox = PromptSandbox.Create();
        await using var run = await ExecutorPromptRun.StartAsync(context, sandbox, cancellationToken);
        context.EnqueueAnswer(pace: TimeSpan.FromMilliseconds(300));
        string? problem = null;
        await run.ExecuteAsync(
            whileStreaming: r =>
            {
                problem = AgentProcessCheck.Compare(r.ExecutorPid, DirectPromptRun.StartInfo(context, sandbox));
                return Task.CompletedTask;
            },
            cancellationToken: cancellationToken);
        context.RequireAnswerTaken("check");
        if (problem is not null)
        {
            throw new InvalidOperationException($"The baseline would not run what the executor runs: {problem}");
        }

        context.Log.WriteLine("prompt: check passed (argv, environment and cwd match)");
    }
}

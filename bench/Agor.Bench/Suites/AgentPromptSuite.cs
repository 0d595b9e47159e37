using System.Diagnostics;
using System.Globalization;
using Agor.Bench.Measurement;
using Agor.Bench.Processes;
using Agor.Bench.Setup;
using Agor.Bench.Suites.Prompt;
using Agor.Bench.Suites.Sandbox;
using Agor.Protocol.Wire;
using Agor.Testing.ScriptedGemini;
using Agor.Testing.ScriptedOpenAI;
using Agor.Testing.Support;

namespace Agor.Bench.Suites;

/// <summary>
/// The <c>prompt</c> suite's Codex and Gemini rows: one prompt through a real executor (sandbox off,
/// and sandbox auto: confined by bwrap) against the same CLI driven directly by the bench, every
/// side answered by the same scripted server (Responses API for Codex, Gemini API for Gemini) in the
/// same run.
/// </summary>
internal static class AgentPromptSuite
{
    public const int DefaultCodexIterations = 10;
    public const int DefaultGeminiIterations = 6;
    private const int Warmup = 1;
    private const double OverheadTargetMs = 15;

    public static async Task<int> RunAsync(TextWriter output, string agent, int? iterations = null, CancellationToken cancellationToken = default)
    {
        var count = iterations ?? (agent == "codex" ? DefaultCodexIterations : DefaultGeminiIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var clock = Stopwatch.StartNew();
        var executor = await NativeExecutor.EnsureAsync(RepoLayout.Find(), output, cancellationToken);
        string cli;
        try
        {
            cli = agent == "codex" ? CodexCli.Require() : GeminiCli.Require();
        }
        catch (InvalidOperationException ex)
        {
            output.WriteLine($"prompt {agent}: {ex.Message}");
            return 2;
        }

        var version = await CommandLine.RunAsync(agent == "codex" ? CodexDirectRun.NativeBinary(cli) : cli, ["--version"], cancellationToken: cancellationToken);
        output.WriteLine($"{agent}: {cli} ({version.Stdout.Trim()})");
        output.WriteLine($"bench: {BenchInfo.BuildConfiguration()} build, {Environment.ProcessorCount} CPUs, load average {BenchInfo.LoadAverage()} (other work on the machine moves the figures)");

        await using var server = await AgentServer.StartAsync(agent, cancellationToken);
        var target = server.Agent(cli);
        var sides = new (string Name, List<PromptTimes> Into, Func<PromptSandbox, Task<PromptTimes>> Run)[]
        {
            ("executor", [], s => ThroughExecutorAsync(executor, target, s, null, cancellationToken)),
            ("sandboxed", [], s => ThroughExecutorAsync(executor, target, s, Confined(s), cancellationToken)),
            ("direct", [], s => agent == "codex" ? CodexDirectRun.RunAsync(target, s, cancellationToken) : GeminiDirectRun.RunAsync(target, s, cancellationToken)),
        };

        output.WriteLine($"prompt {agent}: check run (paced answer, not measured): the agent the executor starts has the baseline's argv, environment and cwd ...");
        await CheckSameCommandAsync(executor, server, target, agent, cancellationToken);
        output.WriteLine($"prompt {agent}: check passed (argv, environment and cwd match)");

        output.WriteLine($"prompt {agent}: {count} iterations after {Warmup} warm-up, executor (sandbox off), executor (sandbox auto) and direct CLI in turn (which goes first rotates) ...");
        for (var i = 0; i < Warmup + count; i++)
        {
            var times = new Dictionary<string, PromptTimes>();
            for (var k = 0; k < sides.Length; k++)
            {
                var side = sides[(i + k) % sides.Length];
                using var sandbox = PromptSandbox.Create();
                server.EnqueueAnswer();
                times[side.Name] = await side.Run(sandbox);
                server.RequireAnswerTaken($"{agent} {side.Name}");
            }

            var (a, c, d) = (times["executor"], times["sandboxed"], times["direct"]);
            var label = i < Warmup ? $"warm-up {i + 1}/{Warmup}" : $"{i - Warmup + 1}/{count}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: executor get_api_key {a.ApiKeyMs:0.0}, model request {a.RequestMs:0.0}, delta {a.FirstDeltaMs:0.0}, completion {a.CompletionMs:0.0} ms | sandboxed ({(c.Confined == true ? "confined" : "NOT confined")}) model request {c.RequestMs:0.0}, delta {c.FirstDeltaMs:0.0}, completion {c.CompletionMs:0.0} ms | direct model request {d.RequestMs:0.0}, delta {d.FirstDeltaMs:0.0}, end of turn {d.CompletionMs:0.0}, exit {d.ExitMs:0.0} ms"));
            if (i >= Warmup)
            {
                foreach (var side in sides)
                {
                    side.Into.Add(times[side.Name]);
                }
            }
        }

        var (agor, confined, direct) = (sides[0].Into, sides[1].Into, sides[2].Into);
        var table = new ResultTable();
        AgentPromptRows.Add(table, agent, "executor", agor, direct, OverheadTargetMs);
        AgentPromptRows.Add(table, agent, "sandboxed executor", confined, direct, OverheadTargetMs);
        SandboxOverheadRows.Add(table, agor, confined, $"{agent} executor");
        table.Note($"{agent}: every run a fresh HOME and working directory (temp dirs, deleted after), prompt \"{PromptContext.Prompt}\", the scripted {server.Description} answering \"{string.Concat(PromptContext.AnswerChunks)}\" as {PromptContext.AnswerChunks.Length} text deltas back to back. Requests over the warm-up and measured runs: {server.RequestSummary()}.");
        table.Note($"executor: a fresh native executor per run (cleared environment: PATH, HOME, LANG), connected and pinged before the clock; the bench plays the daemon (get_execution_context with agent '{agent}', get_api_key with the scripted server's URL). Clock from just before execute_prompt to the first report_message of type content_block_delta and to report_completion. 'sandboxed': the same with execute_prompt.sandbox mode auto (bwrap, a fresh agent home, no cgroup).");
        table.Note(agent == "codex"
            ? "baseline: the native codex binary with the runner's app-server command line and environment (CODEX_HOME under the fresh HOME, its own TMPDIR), driven by the bench: initialize, initialized, thread/start, turn/start. Clock from just before Process.Start to the first item/agentMessage/delta and to turn/completed; then stdin is closed and the exit timed ('CLI exit')."
            : "baseline: gemini --acp --model=gemini-2.5-flash with the runner's environment (a fresh GEMINI_CLI_HOME with its settings.json, TMPDIR inside it, GEMINI_CLI_NO_RELAUNCH), driven by the bench: initialize, session/new, session/prompt. Clock from just before Process.Start to the first agent_message_chunk and to the session/prompt result; then stdin is closed and the exit timed ('CLI exit').");
        table.Note($"overhead: p50 of the executor side minus p50 of the baseline, target ≤ {OverheadTargetMs:0} ms; in brackets its bootstrap 95% interval (both sides resampled). The executor's completion includes what it does after the CLI's end of turn (closing its stdin, waiting for its exit) before report_completion: compare the 'CLI exit' row. Load average at the end: {BenchInfo.LoadAverage()}.");
        table.Note($"without CLI start-up: the CLI's start ({(agent == "codex" ? "about 0.7 s" : "about 3 s")}, spreading far more than the target) drowns whole-run differences, so the 'model request →' rows start each side's clock when its conversation request ({(agent == "codex" ? "POST /responses" : "streamGenerateContent")}) reached the scripted server (the server's wall-clock stamp, read against the run's start). 'added, model request → …' is, per executor sample, its prompt → get_api_key (its steps before it starts the CLI) plus its model request → figure, against the baseline's model request → figure: p50 − p50, bracketed its bootstrap 95% interval, target ≤ {OverheadTargetMs:0} ms. Left out: the executor's Process.Start of the CLI against the bench's (both .NET), assumed alike.");
        output.WriteLine();
        output.Write(table.Render());
        output.WriteLine();
        output.WriteLine($"prompt {agent}: {clock.Elapsed.TotalSeconds:0} s; executor {executor}; {agent} {cli}");
        return table.AllTargetsMet ? 0 : 1;
    }

    /// <summary>One executor run (sandbox off) with a paced answer; its agent, read from /proc while it streams, must be what the baseline starts.</summary>
    private static async Task CheckSameCommandAsync(string executor, AgentServer server, PromptAgent target, string agent, CancellationToken cancellationToken)
    {
        using var sandbox = PromptSandbox.Create();
        await using var run = await ExecutorPromptRun.StartAsync(executor, target, sandbox, cancellationToken);
        server.EnqueuePacedAnswer(TimeSpan.FromMilliseconds(300));
        string? problem = null;
        await run.ExecuteAsync(
            whileStreaming: r =>
            {
                problem = AgentProcessCheck.Compare(r.ExecutorPid, agent == "codex" ? CodexDirectRun.StartInfo(target, sandbox) : GeminiDirectRun.StartInfo(target, sandbox));
                return Task.CompletedTask;
            },
            sandbox: new SandboxSpec { Mode = SandboxModes.Off },
            cancellationToken: cancellationToken);
        server.RequireAnswerTaken($"{agent} check");
        if (problem is not null)
        {
            throw new InvalidOperationException($"The {agent} baseline would not run what the executor runs: {problem}");
        }
    }

    private static SandboxSpec Confined(PromptSandbox sandbox) => new()
    {
        Mode = SandboxModes.Auto,
        BwrapPath = "bwrap",
        AgentHome = Path.Combine(Path.GetDirectoryName(sandbox.Home)!, "agent-home"),
    };

    private static async Task<PromptTimes> ThroughExecutorAsync(string executor, PromptAgent agent, PromptSandbox sandbox, SandboxSpec? spec, CancellationToken cancellationToken)
    {
        await using var run = await ExecutorPromptRun.StartAsync(executor, agent, sandbox, cancellationToken);
        return await run.ExecuteAsync(sandbox: spec ?? new SandboxSpec { Mode = SandboxModes.Off }, cancellationToken: cancellationToken);
    }
}

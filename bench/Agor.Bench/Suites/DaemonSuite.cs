using System.Diagnostics;
using Agor.Bench.Measurement;
using Agor.Bench.Processes;
using Agor.Bench.Setup;
using Agor.Bench.Suites.Daemon;
using Agor.Bench.Suites.Sandbox;
using Agor.Testing.Support;

namespace Agor.Bench.Suites;

/// <summary>
/// The <c>daemon</c> suite: the real daemon process end to end — how fast an executor's message
/// reaches an SSE client, what the daemon adds to a prompt with the real CLI (own user and through
/// sudo), how the API answers while 50 sessions stream, and what the network path adds (a model
/// request and its chunks through the model gateway, a CONNECT tunnel through the egress proxy);
/// every figure beside a baseline from the same run.
/// </summary>
internal static class DaemonSuite
{
    public const int DefaultIterations = 10;

    /// <summary>Runs the suite; with <paramref name="networkOnly"/>, only the gateway and egress proxy figures.</summary>
    public static async Task<int> RunAsync(TextWriter output, int iterations = DefaultIterations, bool networkOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var clock = Stopwatch.StartNew();
        var layout = RepoLayout.Find();
        var executor = await NativeExecutor.EnsureAsync(layout, output, cancellationToken);
        string? claude = null;
        string? claudeMissing = null;
        try
        {
            claude = ClaudeCli.Require();
            var version = await CommandLine.RunAsync(claude, ["--version"], cancellationToken: cancellationToken);
            output.WriteLine($"claude: {claude} ({version.Stdout.Trim()})");
        }
        catch (InvalidOperationException ex)
        {
            claudeMissing = ex.Message;
            output.WriteLine($"claude: {ex.Message}");
        }

        output.WriteLine($"daemon: {Testing.Daemon.DaemonProcess.AgorPath} daemon start --foreground, a fresh AGOR_HOME per daemon");
        output.WriteLine($"bench: {(Debugger.IsAttached ? "debugger attached, " : string.Empty)}{BenchInfo.BuildConfiguration()} build, {Environment.ProcessorCount} CPUs, load average {BenchInfo.LoadAverage()} (other work on the machine moves the figures)");

        // World-readable and searchable: the sudo figure's executor user works in subdirectories of it.
        var work = Directory.CreateTempSubdirectory("agor-bench-daemon-").FullName;
        File.SetUnixFileMode(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var context = new DaemonContext(executor, work, output);
        var table = new ResultTable();
        try
        {
            if (!networkOnly)
            {
                await new RelayLatencyFigures(context).MeasureAsync(table, cancellationToken);
                if (claude is not null)
                {
                    await new PromptThroughDaemonFigures(context, claude, iterations).MeasureAsync(table, cancellationToken);
                }
                else
                {
                    table.Add(Figure.Skip("daemon overhead, first text delta", claudeMissing!));
                }

                await new BwrapTrueFigures(output, claude ?? "/bin/true").MeasureAsync(table, cancellationToken);
            }

            // Before the 50-process load figure: in-process and short, they should not run in its wake.
            await new GatewayLatencyFigures(context).MeasureAsync(table, cancellationToken);
            await new GatewayChunkLatencyFigures(context).MeasureAsync(table, cancellationToken);
            await new TunnelThroughputFigures(context).MeasureAsync(table, cancellationToken);
            if (!networkOnly)
            {
                await new ApiUnderLoadFigures(context).MeasureAsync(table, cancellationToken);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        if (!networkOnly)
        {
            table.Note($"report_message → SSE: the bench's fake executor (hidden mode {FakeExecutor.Mode}, JIT, the same JsonRpcPeer as the executor) is the daemon's execution.executor_path; per task it sends {RelayLatencyFigures.Messages} report_message notifications, one per {RelayLatencyFigures.IntervalUs} µs, each stamped in its event_data with CLOCK_MONOTONIC (Stopwatch.GetTimestamp) just before it is sent; every {RelayLatencyFigures.StoredEvery}th is an assistant_message (stored in SQLite, then message.created), the rest content_block_delta (message.delta, broadcast only). An SSE client of the session (HttpClient, the bench process) stamps the read that brought each event, before parsing. The first {RelayLatencyFigures.SkipFirst} of a task are left out; one warm-up task first. Baseline: the same fake executor started by the bench, which connects to its socket itself, sends execute_prompt and reads the same notifications with the same line reader: one Unix-socket hop, sender included, no daemon.");
        }

        output.WriteLine();
        output.Write(table.Render());
        output.WriteLine();
        output.WriteLine($"daemon suite: {clock.Elapsed.TotalSeconds:0} s; executor {executor}; claude {claude ?? "missing"}");
        return table.AllTargetsMet ? 0 : 1;
    }
}

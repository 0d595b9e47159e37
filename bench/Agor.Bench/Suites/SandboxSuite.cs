using System.Diagnostics;
using Agor.Bench.Measurement;
using Agor.Bench.Suites.Sandbox;
using Agor.Testing.Support;

namespace Agor.Bench.Suites;

/// <summary>
/// The <c>sandbox</c> suite: bubblewrap's own cost on a bare <c>true</c>, alone (the prompt and
/// daemon suites print the same rows beside their sandbox-on/off prompt figures). Needs no executor.
/// </summary>
internal static class SandboxSuite
{
    public const int DefaultSamples = 60;

    public static async Task<int> RunAsync(TextWriter output, int samples = DefaultSamples, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var clock = Stopwatch.StartNew();
        output.WriteLine($"bench: {BenchInfo.BuildConfiguration()} build, {Environment.ProcessorCount} CPUs, load average {BenchInfo.LoadAverage()} (other work on the machine moves the figures)");
        var table = new ResultTable();
        await new BwrapTrueFigures(output, AgentProgram(), samples).MeasureAsync(table, cancellationToken);
        output.WriteLine();
        output.Write(table.Render());
        output.WriteLine();
        output.WriteLine($"sandbox suite: {clock.Elapsed.TotalSeconds:0} s");
        return table.AllTargetsMet ? 0 : 1;
    }

    /// <summary>The agent whose install the line shows read-only: the Claude Code CLI when present, else /bin/true.</summary>
    public static string AgentProgram()
    {
        try
        {
            return ClaudeCli.Require();
        }
        catch (InvalidOperationException)
        {
            return "/bin/true";
        }
    }
}

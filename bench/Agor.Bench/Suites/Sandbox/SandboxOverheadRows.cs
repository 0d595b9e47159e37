using Agor.Bench.Measurement;
using Agor.Bench.Suites.Prompt;

namespace Agor.Bench.Suites.Sandbox;

/// <summary>
/// The rows of the sandbox's cost to a prompt: the same runs with <c>sandbox.mode</c> auto (confined
/// where the machine allows it) and off, in one run, p50/p95 each and the difference of the p50s
/// (target ≤ 15 ms) with its bootstrap interval. When a confined side's task was not actually
/// confined (an executor without the sandbox), its overhead rows say so instead of a verdict.
/// </summary>
internal static class SandboxOverheadRows
{
    public const double TargetMs = 15;

    public static void Add(ResultTable table, IReadOnlyList<PromptTimes> off, IReadOnlyList<PromptTimes> on, string label)
    {
        var notConfined = on.Count(t => t.Confined != true);
        var skip = notConfined == 0 ? null : $"{notConfined} of {on.Count} runs with the sandbox were not confined ({on.FirstOrDefault(t => t.Confined != true)?.SandboxNote ?? "no report"}): the difference is no sandbox overhead";
        Row(table, $"prompt → first text delta, {label}", off.Select(t => t.FirstDeltaMs), on.Select(t => t.FirstDeltaMs), skip);
        Row(table, $"prompt → completion, {label}", off.Select(t => t.CompletionMs), on.Select(t => t.CompletionMs), skip);
    }

    private static void Row(ResultTable table, string name, IEnumerable<double> offSamples, IEnumerable<double> onSamples, string? skip)
    {
        double[] off = [.. offSamples];
        double[] on = [.. onSamples];
        var offStats = new Stats(off);
        var onStats = new Stats(on);
        table.Add(new Figure($"{name}, sandbox p50 (baseline: off)", Units.Milliseconds(onStats.P50), Units.Milliseconds(offStats.P50), "-", null));
        table.Add(new Figure($"{name}, sandbox p95 (baseline: off)", Units.Milliseconds(onStats.P95), Units.Milliseconds(offStats.P95), "-", null));
        var difference = onStats.P50 - offStats.P50;
        var (low, high) = Bootstrap.MedianDifference95(on, off);
        var text = $"{Signed(difference)} [{Signed(low)} … {Signed(high)}] ({Units.Ratio(onStats.P50 / offStats.P50)})";
        table.Add(new Figure($"sandbox overhead, {name} (p50 − p50)", text, "0 (off)", $"≤ {TargetMs:0} ms", skip is null ? difference <= TargetMs : null, skip));
    }

    private static string Signed(double milliseconds) => (milliseconds >= 0 ? "+" : string.Empty) + Units.Milliseconds(milliseconds);
}

using Agor.Bench.Measurement;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// The table rows of one agent's prompt figures against its direct baseline: p50 and p99 of the
/// first text delta and of completion each side, the CLI's exit for the baseline, and the added
/// p50 (with its bootstrap 95% interval) held to the target.
/// </summary>
internal static class AgentPromptRows
{
    public static void Add(ResultTable table, string agent, string label, IReadOnlyList<PromptTimes> measured, IReadOnlyList<PromptTimes> direct, double targetMs)
    {
        var delta = new Stats(measured.Select(t => t.FirstDeltaMs));
        var done = new Stats(measured.Select(t => t.CompletionMs));
        var directDelta = new Stats(direct.Select(t => t.FirstDeltaMs));
        var directDone = new Stats(direct.Select(t => t.CompletionMs));
        var directExit = new Stats(direct.Select(t => t.ExitMs ?? double.NaN));
        var name = $"{agent}, {label}";
        table.Add(new Figure($"{name}: prompt → first text delta p50", Units.Milliseconds(delta.P50), Units.Milliseconds(directDelta.P50), "-", null));
        table.Add(new Figure($"{name}: prompt → first text delta p99", Units.Milliseconds(delta.P99), Units.Milliseconds(directDelta.P99), "-", null));
        table.Add(new Figure($"{name}: prompt → completion p50 (baseline: end of turn)", Units.Milliseconds(done.P50), Units.Milliseconds(directDone.P50), "-", null));
        table.Add(new Figure($"{name}: prompt → completion p99 (baseline: end of turn)", Units.Milliseconds(done.P99), Units.Milliseconds(directDone.P99), "-", null));
        table.Add(new Figure($"{name}: prompt → CLI exit p50 / p99 (baseline only)", "-", $"{Units.Milliseconds(directExit.P50)} / {Units.Milliseconds(directExit.P99)}", "-", null));
        Overhead(table, $"{name}: added, first text delta (p50 − p50)", [.. measured.Select(t => t.FirstDeltaMs)], [.. direct.Select(t => t.FirstDeltaMs)], targetMs);
        Overhead(table, $"{name}: added, completion (p50 − p50)", [.. measured.Select(t => t.CompletionMs)], [.. direct.Select(t => t.CompletionMs)], targetMs);
        WithoutStartUp(table, name, measured, direct, targetMs);
    }

    /// <summary>
    /// The same figures with the CLI's start-up taken out: each side's clock from the moment its
    /// conversation request reached the scripted server. The executor side also carries its own
    /// steps before it starts the CLI (prompt → get_api_key), per sample, so that the added figure
    /// leaves out only the CLI's start (Process.Start → model request), alike on both sides.
    /// </summary>
    private static void WithoutStartUp(ResultTable table, string name, IReadOnlyList<PromptTimes> measured, IReadOnlyList<PromptTimes> direct, double targetMs)
    {
        double[] relay = [.. measured.Select(t => t.FirstDeltaMs - t.RequestMs)];
        double[] directRelay = [.. direct.Select(t => t.FirstDeltaMs - t.RequestMs)];
        double[] tail = [.. measured.Select(t => t.CompletionMs - t.RequestMs)];
        double[] directTail = [.. direct.Select(t => t.CompletionMs - t.RequestMs)];
        var apiKey = new Stats(measured.Select(t => t.ApiKeyMs ?? double.NaN));
        var (r, dr, c, dc) = (new Stats(relay), new Stats(directRelay), new Stats(tail), new Stats(directTail));
        table.Add(new Figure($"{name}: prompt → get_api_key (executor's steps before the CLI) p50", Units.Milliseconds(apiKey.P50), "0 (starts the CLI)", "-", null));
        table.Add(new Figure($"{name}: model request → first text delta p50", Units.Milliseconds(r.P50), Units.Milliseconds(dr.P50), "-", null));
        table.Add(new Figure($"{name}: model request → first text delta p99", Units.Milliseconds(r.P99), Units.Milliseconds(dr.P99), "-", null));
        table.Add(new Figure($"{name}: model request → completion p50 (baseline: end of turn)", Units.Milliseconds(c.P50), Units.Milliseconds(dc.P50), "-", null));
        table.Add(new Figure($"{name}: model request → completion p99 (baseline: end of turn)", Units.Milliseconds(c.P99), Units.Milliseconds(dc.P99), "-", null));
        Overhead(table, $"{name}: added, model request → first delta (get_api_key + p50 − p50)", [.. measured.Select(t => (t.ApiKeyMs ?? double.NaN) + t.FirstDeltaMs - t.RequestMs)], directRelay, targetMs);
        Overhead(table, $"{name}: added, model request → completion (get_api_key + p50 − p50)", [.. measured.Select(t => (t.ApiKeyMs ?? double.NaN) + t.CompletionMs - t.RequestMs)], directTail, targetMs);
    }

    private static void Overhead(ResultTable table, string name, double[] measured, double[] baseline, double targetMs)
    {
        var difference = new Stats(measured).P50 - new Stats(baseline).P50;
        var (low, high) = Bootstrap.MedianDifference95(measured, baseline);
        table.Add(new Figure(name, $"{Signed(difference)} [{Signed(low)} … {Signed(high)}]", "0 (direct)", $"≤ {targetMs:0} ms", difference <= targetMs));
    }

    private static string Signed(double milliseconds) => (milliseconds >= 0 ? "+" : string.Empty) + Units.Milliseconds(milliseconds);
}

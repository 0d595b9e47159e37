namespace Agor.Bench.Measurement;

/// <summary>
/// One line of the result table: our figure beside its baseline from the same run, and the target
/// it is held to, if any. A figure that could not be measured carries the reason in <see cref="Skipped"/>.
/// </summary>
internal sealed record Figure(string Name, string Agor, string Baseline, string Target, bool? Met, string? Skipped = null)
{
    public static Figure Skip(string name, string reason) => new(name, "-", "-", "-", null, reason);

    public string MetText => Skipped is not null ? "skipped" : Met switch
    {
        true => "yes",
        false => "**NO**",
        null => "-",
    };
}

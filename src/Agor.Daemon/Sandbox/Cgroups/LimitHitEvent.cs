using System.Globalization;

namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>
/// One limit the kernel enforced on a task, as the <c>resource_limit</c> event states it:
/// <c>limit</c> (<c>memory_max</c> | <c>pids_max</c>), <c>max</c> (the config text), <c>count</c>, <c>message</c>.
/// </summary>
internal sealed record LimitHitEvent(string Limit, string Max, long Count, string Message)
{
    /// <summary>The events for <paramref name="hits"/> under <paramref name="limits"/>: memory first, then processes; empty when none.</summary>
    public static IReadOnlyList<LimitHitEvent> From(LimitHits hits, ResourceLimits limits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        ArgumentNullException.ThrowIfNull(limits);
        var events = new List<LimitHitEvent>(2);
        if (hits.OomKills > 0)
        {
            var processes = hits.OomKills == 1 ? "1 process" : $"{hits.OomKills} processes";
            events.Add(new("memory_max", limits.MemoryMaxText, hits.OomKills, $"memory_max ({limits.MemoryMaxText}) reached: the kernel killed {processes}"));
        }

        if (hits.ForksRefused > 0)
        {
            var max = limits.PidsMax.ToString(CultureInfo.InvariantCulture);
            var forks = hits.ForksRefused == 1 ? "1 new process" : $"{hits.ForksRefused} new processes";
            events.Add(new("pids_max", max, hits.ForksRefused, $"pids_max ({max}) reached: the kernel refused {forks}"));
        }

        return events;
    }
}

using System.Globalization;

namespace Agor.Daemon.Sandbox;

/// <summary>
/// One limit the kernel enforced on a task, as stored in its transcript:
/// <c>{"type":"system","subtype":"resource_limit","limit":"memory_max","max":"4G","count":1,"message":"..."}</c>.
/// </summary>
internal sealed record LimitHitEvent(string Type, string Subtype, string Limit, string Max, long Count, string Message)
{
    public const string ErrorCode = "resource_limit";

    /// <summary>The events of <paramref name="hits"/>: memory first (it is the one that kills).</summary>
    public static IReadOnlyList<LimitHitEvent> From(LimitHits hits, ResourceLimits limits)
    {
        var events = new List<LimitHitEvent>();
        if (hits.OomKills > 0)
        {
            var max = limits.MemoryMaxText;
            events.Add(Create("memory_max", max, hits.OomKills, $"memory_max ({max}) reached: the kernel killed {Plural(hits.OomKills, "process", "processes")}"));
        }

        if (hits.ForksRefused > 0)
        {
            var max = limits.PidsMax.ToString(CultureInfo.InvariantCulture);
            events.Add(Create("pids_max", max, hits.ForksRefused, $"pids_max ({max}) reached: {Plural(hits.ForksRefused, "fork", "forks")} refused"));
        }

        return events;
    }

    private static LimitHitEvent Create(string limit, string max, long count, string message) =>
        new("system", ErrorCode, limit, max, count, message);

    private static string Plural(long n, string one, string many) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many);
}

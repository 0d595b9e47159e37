using Agor.Daemon.Sandbox;

namespace Agor.Daemon.Tests.Sandbox.Cgroups;

public sealed class LimitHitEventTests
{
    private static readonly ResourceLimits Limits = new(4L << 30, 512, null) { MemoryMaxText = "4G" };

    [Fact]
    public void From_NoHits_IsEmpty() => Assert.Empty(LimitHitEvent.From(LimitHits.None, Limits));

    [Fact]
    public void From_AnOomKill_NamesTheLimitAsConfigured()
    {
        var hit = Assert.Single(LimitHitEvent.From(new LimitHits(1, 0), Limits));
        Assert.Equal(("system", "resource_limit", "memory_max", "4G", 1L), (hit.Type, hit.Subtype, hit.Limit, hit.Max, hit.Count));
        Assert.Equal("memory_max (4G) reached: the kernel killed 1 process", hit.Message);
    }

    [Fact]
    public void From_BothHits_MemoryFirst()
    {
        var hits = LimitHitEvent.From(new LimitHits(3, 7), Limits);
        Assert.Equal(["memory_max", "pids_max"], hits.Select(h => h.Limit));
        Assert.Equal("memory_max (4G) reached: the kernel killed 3 processes", hits[0].Message);
        Assert.Equal("pids_max (512) reached: 7 forks refused", hits[1].Message);
    }
}

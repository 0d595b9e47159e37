using Agor.Daemon.Sandbox;
using Agor.Daemon.Sandbox.Cgroups;

namespace Agor.Daemon.Tests.Sandbox.Cgroups;

public sealed class LimitHitEventTests
{
    private static readonly ResourceLimits Limits = new(4L << 30, 512, null) { MemoryMaxText = "4G" };

    [Fact]
    public void From_NoHits_IsEmpty() => Assert.Empty(LimitHitEvent.From(LimitHits.None, Limits));

    [Fact]
    public void From_AnOomKill_NamesTheLimitAsConfigured() =>
        Assert.Equal(
            [new LimitHitEvent("memory_max", "4G", 1, "memory_max (4G) reached: the kernel killed 1 process")],
            LimitHitEvent.From(new LimitHits(1, 0), Limits));

    [Fact]
    public void From_BothHits_MemoryFirst() =>
        Assert.Equal(
            [
                new LimitHitEvent("memory_max", "4G", 3, "memory_max (4G) reached: the kernel killed 3 processes"),
                new LimitHitEvent("pids_max", "512", 7, "pids_max (512) reached: the kernel refused 7 new processes"),
            ],
            LimitHitEvent.From(new LimitHits(3, 7), Limits));
}

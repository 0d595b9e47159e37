using Agor.Daemon.Configuration;
using Agor.Daemon.Sandbox;

namespace Agor.Daemon.Tests.SandboxPolicy;

/// <summary>The daemon's sandbox policy in words: limit events, health warnings, where agent homes live and how they go.</summary>
public sealed class SandboxPolicyTests
{
    private static readonly SandboxProbeResult Works = new() { Bwrap = "/usr/bin/bwrap", Works = true, Seccomp = true, Namespaces = ["mount", "pid"] };

    private static readonly SandboxProbeResult Missing = SandboxProbeResult.Failed("bwrap (bubblewrap) was not found", "apt-get install bubblewrap");

    [Fact]
    public void LimitHits_BecomeEvents_NamingTheLimitItsMaximumAndTheCount()
    {
        var limits = new ResourceLimits(4L << 30, 512, null) { MemoryMaxText = "4G" };

        var events = LimitHitEvent.From(new LimitHits(1, 37), limits);

        Assert.Equal(2, events.Count);
        Assert.Equal(new LimitHitEvent("system", "resource_limit", "memory_max", "4G", 1, "memory_max (4G) reached: the kernel killed 1 process"), events[0]);
        Assert.Equal(new LimitHitEvent("system", "resource_limit", "pids_max", "512", 37, "pids_max (512) reached: 37 forks refused"), events[1]);
        Assert.Equal("memory_max (4G) reached: the kernel killed 3 processes", LimitHitEvent.From(new LimitHits(3, 0), limits).Single().Message);
        Assert.Empty(LimitHitEvent.From(LimitHits.None, limits));
    }

    [Theory]
    [InlineData("auto", true, null)]
    [InlineData("auto", false, "UNCONFINED")]
    [InlineData("required", false, "refused (sandbox_unavailable)")]
    [InlineData("off", false, null)]
    [InlineData("required", true, null)]
    public void Warning_OnlyWhenTasksRunUnconfinedOrAreRefused(string mode, bool works, string? expected)
    {
        var status = new SandboxStatus(mode, "bwrap", works ? Works : Missing, "root", ResourceLimitSupport.None("none here"), 512);

        if (expected is null)
        {
            Assert.Null(status.Warning);
        }
        else
        {
            Assert.Contains(expected, status.Warning, StringComparison.Ordinal);
            Assert.Contains("apt-get install bubblewrap", status.Warning, StringComparison.Ordinal);
        }

        Assert.Equal(works ? null : "bwrap (bubblewrap) was not found; fix: apt-get install bubblewrap", status.Unavailable);
    }

    [Fact]
    public void Limits_AreNamedByCgroupVersion_ElseRlimitWhenProcessesAreLimited()
    {
        Assert.Equal("cgroup v1", new SandboxStatus("auto", "bwrap", Works, "root", new ResourceLimitSupport("v1", ["memory", "pids"], "/sys/fs/cgroup", null), 512).LimitsText);
        Assert.Equal("cgroup v2", new SandboxStatus("auto", "bwrap", Works, "root", new ResourceLimitSupport("v2", ["memory"], "/sys/fs/cgroup/x", null), 512).LimitsText);
        Assert.Equal("rlimit", new SandboxStatus("auto", "bwrap", Works, "root", ResourceLimitSupport.None("no"), 512).LimitsText);
        Assert.Equal("none", new SandboxStatus("auto", "bwrap", Works, "root", ResourceLimitSupport.None("no"), 0).LimitsText);
    }

    [Fact]
    public void AgentHomes_OwnUserUnderAgorHome_ConfiguredDirectoryWhenSet()
    {
        var own = new AgentHomes(new AgorConfig { Home = "/var/agor" });
        var configured = new AgentHomes(new AgorConfig { Home = "/var/agor", Sandbox = new SandboxSettings { AgentHomes = "/srv/homes/" } });

        Assert.Equal("/var/agor/agent-homes/ses_1", own.For("ses_1", Environment.UserName));
        Assert.Equal("/srv/homes/ses_1", configured.For("ses_1", Environment.UserName));
        Assert.Equal("/srv/homes/ses_1", configured.For("ses_1", "someone_else"));
    }

    [SkippableFact]
    public void AgentHomes_OfAnotherUser_AreUnderThatUsersPasswdHome()
    {
        var root = Agor.Daemon.Executors.UnixUser.Find("root");
        Skip.If(root is null || Environment.UserName == "root" && Agor.Daemon.Executors.UnixUser.Find("nobody") is null, "no second user in /etc/passwd");
        var (user, home) = Environment.UserName == "root" ? ("nobody", Agor.Daemon.Executors.UnixUser.Find("nobody")!.Home) : ("root", root!.Home);

        Assert.Equal(Path.Combine(home, ".agor", "agent-homes", "ses_1"), new AgentHomes(new AgorConfig { Home = "/var/agor" }).For("ses_1", user));
    }

    [Fact]
    public void RemoveHome_DeletesOnlyARealDirectoryNamedForTheSession_DirectlyInside()
    {
        var homes = Directory.CreateTempSubdirectory("agor-homes-").FullName;
        var outside = Directory.CreateTempSubdirectory("agor-outside-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(homes, "ses_1", "sub"));
            File.CreateSymbolicLink(Path.Combine(homes, "ses_1", "sub", "escape"), outside);
            File.WriteAllText(Path.Combine(outside, "keep.txt"), "kept");
            File.CreateSymbolicLink(Path.Combine(homes, "ses_link"), outside);

            Assert.True(AgentHomes.Remove(homes, "ses_1"));
            Assert.False(AgentHomes.Remove(homes, "ses_link"));
            Assert.False(AgentHomes.Remove(homes, ".."));
            Assert.False(AgentHomes.Remove(homes, "ses_1/../.."));
            Assert.False(AgentHomes.Remove(homes, "ses_absent"));

            Assert.False(Directory.Exists(Path.Combine(homes, "ses_1")));
            Assert.Equal("kept", File.ReadAllText(Path.Combine(outside, "keep.txt")));
        }
        finally
        {
            Directory.Delete(homes, recursive: true);
            Directory.Delete(outside, recursive: true);
        }
    }
}

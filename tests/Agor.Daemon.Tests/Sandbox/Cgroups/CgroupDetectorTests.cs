using Agor.Daemon.Sandbox.Cgroups;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Sandbox.Cgroups;

public sealed class CgroupDetectorTests
{
    private const string V1Mounts = """
        sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
        tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
        cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0
        cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
        cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0
        cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0
        cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
        """;

    [Fact]
    public void Mounts_FindTheV1HierarchyOfEachController_FromItsOptions()
    {
        var mounts = CgroupMount.Parse(V1Mounts);

        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", CgroupMount.V1For(mounts, "cpu")?.Path);
        Assert.Equal("/sys/fs/cgroup/memory", CgroupMount.V1For(mounts, "memory")?.Path);
        Assert.Equal("/sys/fs/cgroup/pids", CgroupMount.V1For(mounts, "pids")?.Path);
        Assert.Null(CgroupMount.V1For(mounts, "hugetlb"));
        Assert.Single(mounts, m => m.IsVersion2);
    }

    [Fact]
    public void Mounts_UnescapeSpacesInPaths() =>
        Assert.Equal("/mnt/my cgroups", Assert.Single(CgroupMount.Parse("cgroup /mnt/my\\040cgroups cgroup rw,pids 0 0")).Path);

    [Fact]
    public void Detect_WithoutAnyCgroup_SaysWhatIsMissingForEachVersion()
    {
        var found = CgroupDetector.Detect("proc /proc proc rw 0 0\n", "0::/\n");

        Assert.Equal("none", found.Version);
        Assert.Equal("cgroup v2: /sys/fs/cgroup is not a cgroup2 mount; cgroup v1: no memory hierarchy is mounted", found.Problem);
        Assert.Equal("none", ResourceLimiters.From(found, "x", new CapturingLogger()).Support.Version);
    }

    [Fact]
    public void Detect_V2InTheRootCgroup_IsNotADelegatedSubtree()
    {
        var found = CgroupDetector.Detect("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n", "0::/\n");

        Assert.Equal("none", found.Version);
        Assert.Contains("root cgroup, not a delegated one (run it as a systemd service with Delegate=yes)", found.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_V2WhereTheOwnCgroupIsMissing_SaysItIsNotWritable()
    {
        var found = CgroupDetector.Detect("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n", "0::/system.slice/agor-nonexistent.service\n");

        Assert.Contains("/sys/fs/cgroup/system.slice/agor-nonexistent.service is not writable", found.Problem, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Detect_OnThisMachine_FindsTheWritableV1Hierarchies()
    {
        CgroupSpecs.RequireV1();
        var logger = new CapturingLogger();

        var limiter = ResourceLimiters.Detect("detect-spec", logger);

        // This machine and CI: cgroup2 is not at /sys/fs/cgroup, v1 memory, pids and cpu are.
        Assert.Equal("v1", limiter.Support.Version);
        Assert.Contains("memory", limiter.Support.Controllers);
        Assert.Contains("pids", limiter.Support.Controllers);
        Assert.Null(limiter.Support.Problem);
        Assert.Contains(logger.Messages, m => m.StartsWith("resource limits: cgroup v1 (memory, pids", StringComparison.Ordinal));
    }
}

using System.Diagnostics;
using Agor.Daemon.Sandbox;
using Agor.Daemon.Sandbox.Cgroups;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Sandbox.Cgroups;

/// <summary>
/// The kernel holds a task at its limits on real v1 cgroups: a shell of a non-root user joins the
/// task's cgroups the way the agent's guard does, then forks or allocates past the limit.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class CgroupV1LimiterTests : IAsyncLifetime
{
    private readonly string _instance = CgroupSpecs.NewInstance();
    private readonly CapturingLogger _logger = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => CgroupSpecs.RemoveInstanceAsync(_instance);

    [SkippableFact(Timeout = 60_000)]
    public async Task ForkLoop_IsHeldAtPidsMax_AndTheDaemonIsUnaffected()
    {
        CgroupSpecs.RequireV1();
        var limiter = CgroupSpecs.V1Limiter(_instance, _logger);
        await using var limits = await limiter.CreateAsync("fork-task", CgroupSpecs.OwnerUid, Environment.ProcessId, new ResourceLimits(0, 20, null), CancellationToken.None);
        Assert.NotNull(limits);

        // 60 background sleeps, each its own process; the shell counts those it could start.
        var result = await CgroupSpecs.RunJoinedAsync(CgroupSpecs.OwnerUid, limits.Paths, """
            started=0; i=0
            while [ $i -lt 60 ]; do
              if sleep 300 </dev/null >/dev/null 2>&1 & then started=$((started+1)); fi
              i=$((i+1))
            done
            echo "started=$started"
            """, CancellationToken.None);

        Assert.NotEqual(97, result.ExitCode);
        var pidsDirectory = limits.Paths.Single(p => p.Contains("/pids/", StringComparison.Ordinal));
        Assert.InRange(CgroupFiles.Pids(pidsDirectory).Count, 1, 20);
        Assert.True(limits.ReadHits().ForksRefused > 0, $"pids.events: {File.ReadAllText(Path.Combine(pidsDirectory, "pids.events"))}; shell: {result.Stdout} {result.Stderr}");
        Assert.Equal(0, limits.ReadHits().OomKills);

        // The test process, standing in for the daemon, still starts processes.
        var daemonSide = await ProcessRunner.RunAsync("/bin/sh", ["-c", "for i in $(seq 1 40); do true & done; wait; echo fine"]);
        Assert.Equal("fine", daemonSide.Stdout.Trim());
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task MemoryHog_IsKilledAtMemoryMax_AndTheHitIsRecorded()
    {
        CgroupSpecs.RequireV1();
        var limiter = CgroupSpecs.V1Limiter(_instance, _logger);
        await using var limits = await limiter.CreateAsync("hog-task", CgroupSpecs.OwnerUid, Environment.ProcessId, new ResourceLimits(64L << 20, 0, null) { MemoryMaxText = "64M" }, CancellationToken.None);
        Assert.NotNull(limits);
        var memoryDirectory = limits.Paths.Single(p => p.Contains("/memory/", StringComparison.Ordinal));
        Assert.Equal($"{64L << 20}", File.ReadAllText(Path.Combine(memoryDirectory, "memory.limit_in_bytes")).Trim());
        if (File.Exists(Path.Combine(memoryDirectory, "memory.memsw.limit_in_bytes")))
        {
            Assert.Equal($"{64L << 20}", File.ReadAllText(Path.Combine(memoryDirectory, "memory.memsw.limit_in_bytes")).Trim());
        }

        var result = await CgroupSpecs.RunJoinedAsync(CgroupSpecs.OwnerUid, limits.Paths, """exec perl -e '$x = "a" x (300 * 1024 * 1024); print "survived\n"'""", CancellationToken.None);

        Assert.Equal(128 + 9, result.ExitCode);
        Assert.DoesNotContain("survived", result.Stdout, StringComparison.Ordinal);
        Assert.True(limits.ReadHits().OomKills > 0, File.ReadAllText(Path.Combine(memoryDirectory, "memory.oom_control")));
        Assert.Equal(0, limits.ReadHits().ForksRefused);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task Dispose_KillsWhatIsStillInside_AndRemovesTheDirectories()
    {
        CgroupSpecs.RequireV1();
        var limiter = CgroupSpecs.V1Limiter(_instance, _logger);
        var limits = await limiter.CreateAsync("left-task", CgroupSpecs.OwnerUid, Environment.ProcessId, new ResourceLimits(256L << 20, 50, 0.5), CancellationToken.None);
        Assert.NotNull(limits);
        Assert.Equal(3, limits.Paths.Count);
        Assert.Equal("50000", File.ReadAllText(Path.Combine(limits.Paths[2], "cpu.cfs_quota_us")).Trim());

        using var inside = StartJoined(CgroupSpecs.OwnerUid, limits.Paths, "echo ready; exec sleep 600");
        Assert.Equal("ready", await inside.StandardOutput.ReadLineAsync());
        Assert.Contains(inside.Id, CgroupFiles.Pids(limits.Paths[0]));

        await limits.DisposeAsync();
        await limits.DisposeAsync();

        await inside.WaitForExitAsync();
        Assert.Equal(128 + 9, inside.ExitCode);
        Assert.All(limits.Paths, path => Assert.False(Directory.Exists(path), path));
        Assert.False(Directory.Exists(limiter.InstanceDirectory(CgroupSpecs.Mount("pids"))), "the instance directory of the last task goes with it");
        Assert.Empty(_logger.Messages);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task BusyLoop_IsThrottledAtCpuMax()
    {
        CgroupSpecs.RequireV1();
        Skip.If(CgroupMount.V1For(CgroupSpecs.Mounts, "cpu") is null && !Isolation.Required, "this test needs the cgroup v1 cpu hierarchy");
        var limiter = CgroupSpecs.V1Limiter(_instance, _logger);
        await using var limits = await limiter.CreateAsync("cpu-task", CgroupSpecs.OwnerUid, Environment.ProcessId, new ResourceLimits(0, 0, 0.1), CancellationToken.None);
        Assert.NotNull(limits);
        var cpu = Assert.Single(limits.Paths, p => p.StartsWith(CgroupSpecs.Mount("cpu"), StringComparison.Ordinal));
        Assert.Equal("100000", File.ReadAllText(Path.Combine(cpu, "cpu.cfs_period_us")).Trim());
        Assert.Equal("10000", File.ReadAllText(Path.Combine(cpu, "cpu.cfs_quota_us")).Trim());

        // A second of spinning at a tenth of a core spans several 100 ms periods, each cut short.
        await CgroupSpecs.RunJoinedAsync(CgroupSpecs.OwnerUid, limits.Paths, "exec timeout 1 sh -c 'while :; do :; done'", CancellationToken.None);

        var stat = File.ReadAllText(Path.Combine(cpu, "cpu.stat"));
        Assert.True(CgroupFiles.ParseKeyed(stat, "nr_throttled") > 0, stat);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task AnotherUid_CannotJoinTheTasksCgroup()
    {
        CgroupSpecs.RequireV1();
        var limiter = CgroupSpecs.V1Limiter(_instance, _logger);
        await using var limits = await limiter.CreateAsync("owned-task", CgroupSpecs.OwnerUid, Environment.ProcessId, new ResourceLimits(256L << 20, 50, null), CancellationToken.None);
        Assert.NotNull(limits);

        var stranger = await CgroupSpecs.RunJoinedAsync(CgroupSpecs.StrangerUid, limits.Paths, "echo joined", CancellationToken.None);
        var owner = await CgroupSpecs.RunJoinedAsync(CgroupSpecs.OwnerUid, limits.Paths, "echo joined", CancellationToken.None);

        Assert.Equal(97, stranger.ExitCode);
        Assert.Contains("Permission denied", stranger.Stderr, StringComparison.Ordinal);
        Assert.Equal("joined", owner.Stdout.Trim());

        // Nor may the owner hand itself a bigger limit.
        var raise = await ProcessRunner.RunAsync("setpriv", CgroupSpecs.AsUser(CgroupSpecs.OwnerUid, $"echo max > {limits.Paths[1]}/pids.max"));
        Assert.NotEqual(0, raise.ExitCode);
        Assert.Equal("50", File.ReadAllText(Path.Combine(limits.Paths[1], "pids.max")).Trim());
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task TwoTasks_HaveSeparateLimits()
    {
        CgroupSpecs.RequireV1();
        var limiter = CgroupSpecs.V1Limiter(_instance, _logger);
        await using var tight = await limiter.CreateAsync("tight-task", CgroupSpecs.OwnerUid, Environment.ProcessId, new ResourceLimits(64L << 20, 10, null), CancellationToken.None);
        await using var roomy = await limiter.CreateAsync("roomy-task", CgroupSpecs.OwnerUid, Environment.ProcessId, new ResourceLimits(512L << 20, 200, null), CancellationToken.None);
        Assert.NotNull(tight);
        Assert.NotNull(roomy);

        var hog = await CgroupSpecs.RunJoinedAsync(CgroupSpecs.OwnerUid, tight.Paths, """exec perl -e '$x = "a" x (150 * 1024 * 1024); print "survived\n"'""", CancellationToken.None);
        var fine = await CgroupSpecs.RunJoinedAsync(CgroupSpecs.OwnerUid, roomy.Paths, """
            i=0; while [ $i -lt 30 ]; do sleep 300 </dev/null >/dev/null 2>&1 & i=$((i+1)); done
            exec perl -e '$x = "a" x (150 * 1024 * 1024); print "survived\n"'
            """, CancellationToken.None);

        Assert.Equal(128 + 9, hog.ExitCode);
        Assert.Equal("survived", fine.Stdout.Trim());
        Assert.True(tight.ReadHits().OomKills > 0);
        Assert.Equal(LimitHits.None, roomy.ReadHits());
        Assert.Equal(30, CgroupFiles.Pids(roomy.Paths[1]).Count);

        // The first task's end leaves the second's cgroups, and so the instance directory, in place.
        await tight.DisposeAsync();
        Assert.All(roomy.Paths, path => Assert.True(Directory.Exists(path), path));
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task CleanStale_RemovesEmptyTaskCgroupsOfAnEarlierRun_AndLeavesBusyOnes()
    {
        CgroupSpecs.RequireV1();
        var earlier = CgroupSpecs.V1Limiter(_instance, _logger);
        var emptyPaths = (await earlier.CreateAsync("stale-empty", CgroupSpecs.OwnerUid, Environment.ProcessId, new ResourceLimits(64L << 20, 10, null), CancellationToken.None))!.Paths;
        var busy = (await earlier.CreateAsync("stale-busy", CgroupSpecs.OwnerUid, Environment.ProcessId, new ResourceLimits(64L << 20, 10, null), CancellationToken.None))!;
        using var inside = StartJoined(CgroupSpecs.OwnerUid, busy.Paths, "echo ready; exec sleep 600");
        Assert.Equal("ready", await inside.StandardOutput.ReadLineAsync());

        await CgroupSpecs.V1Limiter(_instance, _logger).CleanStaleAsync(CancellationToken.None);

        Assert.All(emptyPaths, path => Assert.False(Directory.Exists(path), path));
        Assert.All(busy.Paths, path => Assert.True(Directory.Exists(path), path));
        Assert.Contains(inside.Id, CgroupFiles.Pids(busy.Paths[0]));

        await busy.DisposeAsync();
        await inside.WaitForExitAsync();
    }

    [SkippableFact(Timeout = 30_000)]
    public async Task Create_RefusesATaskIdThatIsNotOnePathComponent()
    {
        CgroupSpecs.RequireV1();
        var limiter = CgroupSpecs.V1Limiter(_instance, _logger);

        await Assert.ThrowsAsync<ArgumentException>(() => limiter.CreateAsync("../../escape", CgroupSpecs.OwnerUid, Environment.ProcessId, new ResourceLimits(0, 10, null), CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(CgroupSpecs.Mount("pids"), "escape")));
    }

    private static Process StartJoined(int uid, IEnumerable<string> paths, string script)
    {
        var startInfo = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in CgroupSpecs.AsUser(uid, CgroupSpecs.JoinScript(paths) + script))
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo)!;
    }
}

using System.Diagnostics;
using Agor.Daemon.Sandbox;
using Agor.Daemon.Sandbox.Cgroups;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Sandbox.Cgroups;

/// <summary>
/// The v2 moves on a real cgroup2 hierarchy. This machine's cgroup2 mount carries no memory, pids or
/// cpu controller (they are on v1), so what is exercised is the layout, the daemon leaf, the moves a
/// guard may and may not make, and disposal; the limits themselves are the kernel's v2 files, not run here.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class CgroupV2LimiterTests : IAsyncLifetime
{
    private readonly CapturingLogger _logger = new();
    private readonly List<Process> _processes = [];
    private string? _own;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }

        if (_own is not null && Directory.Exists(_own))
        {
            var all = Directory.EnumerateDirectories(_own, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(_own).ToList();
            await CgroupFiles.KillAndRemoveAsync(all, _logger);
        }
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task Guard_MovesItselfFromExecutorToAgent_AndNowhereElse_AndDisposalHandsTheExecutorBack()
    {
        var limiter = NewLimiter();
        var daemon = Start(0, "echo ready; exec sleep 600");
        Assert.Equal("ready", await daemon.StandardOutput.ReadLineAsync());
        CgroupFiles.Write(_own!, "cgroup.procs", $"{daemon.Id}");
        var executor = Start(CgroupSpecs.OwnerUid, "echo ready; exec sleep 600");
        Assert.Equal("ready", await executor.StandardOutput.ReadLineAsync());

        var limits = (CgroupV2TaskLimits?)await limiter.CreateAsync("v2-task", CgroupSpecs.OwnerUid, executor.Id, new ResourceLimits(64L << 20, 20, 1), CancellationToken.None);

        Assert.NotNull(limits);
        Assert.Equal([daemon.Id], CgroupFiles.Pids(limiter.DaemonLeaf));
        Assert.Empty(CgroupFiles.Pids(_own!));
        Assert.Equal([executor.Id], CgroupFiles.Pids(limits.ExecutorDirectory));
        var agent = Assert.Single(limits.Paths);

        // A guard: born in executor/ (the executor's child), it moves itself on as the executor user.
        var guard = Start(CgroupSpecs.OwnerUid, $"""
            read go
            echo $$ > {limiter.DaemonLeaf}/cgroup.procs 2>/dev/null && echo "escaped to daemon"
            echo $$ > {limits.ExecutorDirectory}/cgroup.procs 2>/dev/null && echo "escaped to executor"
            echo $$ > {agent}/cgroup.procs || exit 97
            cat /proc/self/cgroup
            echo $$ > {limiter.DaemonLeaf}/cgroup.procs 2>/dev/null && echo "escaped to daemon"
            echo $$ > {limits.ExecutorDirectory}/cgroup.procs 2>/dev/null && echo "escaped to executor"
            echo done
            exec sleep 600
            """);
        var stranger = Start(CgroupSpecs.StrangerUid, $"read go; echo $$ > {agent}/cgroup.procs 2>/dev/null && echo joined; echo done; exec sleep 600");
        CgroupFiles.Write(limits.ExecutorDirectory, "cgroup.procs", $"{guard.Id}");
        CgroupFiles.Write(limits.ExecutorDirectory, "cgroup.procs", $"{stranger.Id}");
        await guard.StandardInput.WriteLineAsync("go");
        await stranger.StandardInput.WriteLineAsync("go");

        var guardSaid = await ReadUntilDoneAsync(guard);
        var strangerSaid = await ReadUntilDoneAsync(stranger);

        Assert.DoesNotContain("escaped", guardSaid, StringComparison.Ordinal);
        Assert.Contains("/tasks/v2-task/agent", guardSaid, StringComparison.Ordinal);
        Assert.DoesNotContain("joined", strangerSaid, StringComparison.Ordinal);
        Assert.Equal([guard.Id], CgroupFiles.Pids(agent));
        Assert.Equal(LimitHits.None, limits.ReadHits());

        await limits.DisposeAsync();

        await guard.WaitForExitAsync();
        await stranger.WaitForExitAsync();
        Assert.False(executor.HasExited);
        Assert.Contains(executor.Id, CgroupFiles.Pids(limiter.DaemonLeaf));
        Assert.False(Directory.Exists(Path.Combine(limiter.TasksDirectory, "v2-task")));
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task CleanStale_RemovesEmptyTaskSubtrees_AndLeavesBusyOnes()
    {
        var limiter = NewLimiter();
        var executor = Start(0, "echo ready; exec sleep 600");
        Assert.Equal("ready", await executor.StandardOutput.ReadLineAsync());
        var busy = (CgroupV2TaskLimits)(await limiter.CreateAsync("busy-task", CgroupSpecs.OwnerUid, executor.Id, new ResourceLimits(0, 0, null), CancellationToken.None))!;
        var empty = Path.Combine(limiter.TasksDirectory, "empty-task");
        Directory.CreateDirectory(Path.Combine(empty, "agent"));
        Directory.CreateDirectory(Path.Combine(empty, "executor"));

        await new CgroupV2Limiter(_own!, [], _logger).CleanStaleAsync(CancellationToken.None);

        Assert.False(Directory.Exists(empty));
        Assert.Equal([executor.Id], CgroupFiles.Pids(busy.ExecutorDirectory));
        await busy.DisposeAsync();
        Assert.False(executor.HasExited);
    }

    [SkippableFact(Timeout = 30_000)]
    public async Task Create_ForAnExecutorThatIsGone_MakesNothing()
    {
        var limiter = NewLimiter();
        var gone = Start(0, "exit 0");
        await gone.WaitForExitAsync();
        var pid = gone.Id;
        _processes.Remove(gone);
        gone.Dispose();

        await Assert.ThrowsAsync<ResourceLimitException>(() => limiter.CreateAsync("gone-task", CgroupSpecs.OwnerUid, pid, new ResourceLimits(0, 0, null), CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(limiter.TasksDirectory, "gone-task")));
    }

    private CgroupV2Limiter NewLimiter()
    {
        var mount = CgroupSpecs.Mounts.FirstOrDefault(m => m.IsVersion2);
        var missing = !Isolation.IsRoot ? "this test needs root (to create cgroups)"
            : mount is null ? "this test needs a cgroup2 hierarchy mounted"
            : !CgroupNative.CanWrite(mount.Path) ? $"this test needs to write {mount.Path}"
            : null;
        if (missing is not null && Isolation.Required)
        {
            throw new InvalidOperationException($"AGOR_REQUIRE_ISOLATION_TESTS=1 but {missing}");
        }

        Skip.If(missing is not null, missing);
        _own = Path.Combine(mount!.Path, CgroupSpecs.NewInstance());
        Directory.CreateDirectory(_own);
        return new CgroupV2Limiter(_own, [], _logger);
    }

    private Process Start(int uid, string script)
    {
        var startInfo = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in CgroupSpecs.AsUser(uid, script))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)!;
        _processes.Add(process);
        return process;
    }

    private static async Task<string> ReadUntilDoneAsync(Process process)
    {
        var said = new List<string>();
        while (await process.StandardOutput.ReadLineAsync() is { } line && line != "done")
        {
            said.Add(line);
        }

        return string.Join('\n', said);
    }
}

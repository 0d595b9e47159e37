using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>One task's v1 cgroups: a directory in memory and pids, and in cpu when limited.</summary>
internal sealed class CgroupV1TaskLimits : ITaskLimits
{
    private readonly string _memory;
    private readonly string _pids;
    private readonly Action _afterRemoval;
    private readonly ILogger _logger;
    private int _disposed;

    public CgroupV1TaskLimits(string memory, string pids, string? cpu, Action afterRemoval, ILogger logger)
    {
        _afterRemoval = afterRemoval;
        _memory = memory;
        _pids = pids;
        _logger = logger;
        Paths = cpu is null ? [memory, pids] : [memory, pids, cpu];
    }

    public IReadOnlyList<string> Paths { get; }

    /// <inheritdoc/>
    public LimitHits ReadHits()
    {
        // oom_kill counts the processes the OOM killer ended in this cgroup (kernel 4.13+). Without
        // it, a failcnt above 0 says the limit was reached at least once; it cannot say how often a process died.
        var oomKills = CgroupFiles.ReadKeyed(_memory, "memory.oom_control", "oom_kill")
            ?? (CgroupFiles.ReadNumber(_memory, "memory.failcnt") > 0 ? 1 : 0);
        var forksRefused = CgroupFiles.ReadKeyed(_pids, "pids.events", "max") ?? 0;
        return new LimitHits(oomKills, forksRefused);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await CgroupFiles.KillAndRemoveAsync(Paths, _logger);
            _afterRemoval();
        }
    }
}

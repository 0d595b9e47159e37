using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>
/// One task's v2 subtree: <c>executor/</c> (the executor, moved in by the daemon) and <c>agent/</c>
/// (the limits; the guard moves itself there). Disposal gives the executor back to the daemon leaf,
/// as the pool owns its lifetime, kills everything else and removes the subtree.
/// </summary>
internal sealed class CgroupV2TaskLimits : ITaskLimits
{
    private readonly string _task;
    private readonly string _executor;
    private readonly string _agent;
    private readonly int _executorPid;
    private readonly long _executorStart;
    private readonly string _daemonLeaf;
    private readonly ILogger _logger;
    private int _disposed;

    public CgroupV2TaskLimits(string task, int executorPid, long executorStart, string daemonLeaf, ILogger logger)
    {
        _task = task;
        _executor = Path.Combine(task, "executor");
        _agent = Path.Combine(task, "agent");
        _executorPid = executorPid;
        _executorStart = executorStart;
        _daemonLeaf = daemonLeaf;
        _logger = logger;
        Paths = [_agent];
    }

    public IReadOnlyList<string> Paths { get; }

    /// <summary>Where the executor is kept while the task runs.</summary>
    public string ExecutorDirectory => _executor;

    /// <inheritdoc/>
    public LimitHits ReadHits() => new(
        CgroupFiles.ReadKeyed(_agent, "memory.events", "oom_kill") ?? 0,
        CgroupFiles.ReadKeyed(_agent, "pids.events", "max") ?? 0);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Only the executor itself goes back (same pid and start time, so never a process that got its pid later).
        if (CgroupFiles.Pids(_executor).Contains(_executorPid)
            && Interop.ProcessStat.Read(_executorPid)?.StartTime == _executorStart)
        {
            try
            {
                File.WriteAllText(Path.Combine(_daemonLeaf, "cgroup.procs"), _executorPid.ToString(CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                CgroupLog.AccessFailed(_logger, ex, _daemonLeaf);
            }
        }

        await CgroupFiles.KillAndRemoveAsync([_agent, _executor, _task], _logger);
    }
}

using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>
/// Task cgroups in the daemon's delegated v2 subtree (a systemd service with <c>Delegate=yes</c>).
/// A v2 cgroup that hands controllers down may hold no processes itself, so the daemon first moves
/// itself into <c>&lt;own&gt;/daemon</c>. Per task: <c>&lt;own&gt;/tasks/&lt;task&gt;/executor</c>, where the
/// daemon moves the verified executor, and <c>.../agent</c> with the limits, whose <c>cgroup.procs</c>
/// and the task's are the owner's: a v2 move needs write access to the destination and to the common
/// ancestor, so the guard can move itself from executor to agent and nowhere else (controllers enabled
/// in the task's <c>subtree_control</c> keep processes out of the task cgroup itself).
/// </summary>
internal sealed class CgroupV2Limiter : ITaskResourceLimiter
{
    private const long CpuPeriodMicroseconds = 100_000;

    private readonly string _own;
    private readonly IReadOnlyList<string> _controllers;
    private readonly ILogger _logger;
    private readonly Lock _prepare = new();
    private bool _prepared;
    private int _cpuWarned;

    /// <param name="own">The daemon's own (delegated) cgroup directory.</param>
    /// <param name="controllers">The controllers to hand down: those of memory, pids, cpu in its <c>cgroup.controllers</c>.</param>
    /// <param name="logger">Where what cannot be done at disposal is said.</param>
    public CgroupV2Limiter(string own, IReadOnlyList<string> controllers, ILogger logger)
    {
        _own = own;
        _controllers = controllers;
        _logger = logger;
        Support = new ResourceLimitSupport("v2", controllers, own, null);
    }

    public ResourceLimitSupport Support { get; }

    public string DaemonLeaf => Path.Combine(_own, "daemon");

    public string TasksDirectory => Path.Combine(_own, "tasks");

    /// <inheritdoc/>
    /// <exception cref="ResourceLimitException">A directory or control file could not be made or written, or the executor not moved; nothing is left behind.</exception>
    public async Task<ITaskLimits?> CreateAsync(string taskId, int ownerUid, int executorPid, ResourceLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var name = CgroupFiles.Component(taskId, nameof(taskId));
        Prepare();

        var task = Path.Combine(TasksDirectory, name);
        var executorStart = Interop.ProcessStat.Read(executorPid)?.StartTime
            ?? throw new ResourceLimitException($"the executor (pid {executorPid}) is gone; no task cgroup made");
        var executor = Path.Combine(task, "executor");
        var agent = Path.Combine(task, "agent");
        try
        {
            Directory.CreateDirectory(task);
            EnableControllers(task);
            Directory.CreateDirectory(executor);
            Directory.CreateDirectory(agent);
            WriteLimits(agent, limits);
            CgroupFiles.Write(executor, "cgroup.procs", executorPid.ToString(CultureInfo.InvariantCulture));
            CgroupFiles.Chown(task, "cgroup.procs", ownerUid);
            CgroupFiles.Chown(agent, "cgroup.procs", ownerUid);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ResourceLimitException)
        {
            var limitsSoFar = new CgroupV2TaskLimits(task, executorPid, executorStart, DaemonLeaf, _logger);
            await limitsSoFar.DisposeAsync();
            throw ex as ResourceLimitException ?? new ResourceLimitException($"could not create the task cgroup {task}: {ex.Message}", ex);
        }

        return new CgroupV2TaskLimits(task, executorPid, executorStart, DaemonLeaf, _logger);
    }

    /// <inheritdoc/>
    public async Task CleanStaleAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(TasksDirectory))
        {
            return;
        }

        foreach (var task in Directory.EnumerateDirectories(TasksDirectory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var leaves = Directory.EnumerateDirectories(task).ToList();
            if (leaves.Append(task).Any(d => CgroupFiles.Pids(d).Count > 0))
            {
                CgroupLog.StaleInUse(_logger, task);
                continue;
            }

            await CgroupFiles.KillAndRemoveAsync([.. leaves, task], _logger, cancellationToken);
            if (!Directory.Exists(task))
            {
                CgroupLog.RemovedStale(_logger, task);
            }
        }
    }

    // Once: every process of the daemon's cgroup into the daemon leaf (a second round catches a
    // child forked meanwhile), then the controllers handed down to tasks/.
    private void Prepare()
    {
        using var scope = _prepare.EnterScope();
        try
        {
            if (_prepared)
            {
                return;
            }

            Directory.CreateDirectory(DaemonLeaf);
            var moved = 0;
            for (var round = 0; round < 10 && CgroupFiles.Pids(_own) is { Count: > 0 } pids; round++)
            {
                foreach (var pid in pids)
                {
                    try
                    {
                        File.WriteAllText(Path.Combine(DaemonLeaf, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
                        moved++;
                    }
                    catch (IOException)
                    {
                        // Gone meanwhile (ESRCH), or a kernel thread that cannot move; the next round sees which.
                    }
                }
            }

            if (moved > 0)
            {
                CgroupLog.MovedIntoLeaf(_logger, moved, DaemonLeaf);
            }

            EnableControllers(_own);
            Directory.CreateDirectory(TasksDirectory);
            EnableControllers(TasksDirectory);
            _prepared = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ResourceLimitException($"could not prepare the delegated cgroup {_own}: {ex.Message}", ex);
        }
    }

    private void EnableControllers(string directory)
    {
        if (_controllers.Count > 0)
        {
            CgroupFiles.Write(directory, "cgroup.subtree_control", string.Join(' ', _controllers.Select(c => "+" + c)));
        }
    }

    private void WriteLimits(string agent, ResourceLimits limits)
    {
        if (limits.MemoryMaxBytes > 0 && _controllers.Contains("memory"))
        {
            CgroupFiles.Write(agent, "memory.max", limits.MemoryMaxBytes.ToString(CultureInfo.InvariantCulture));

            // Swap is no way around memory.max.
            if (File.Exists(Path.Combine(agent, "memory.swap.max")))
            {
                CgroupFiles.Write(agent, "memory.swap.max", "0");
            }
        }

        if (limits.PidsMax > 0 && _controllers.Contains("pids"))
        {
            CgroupFiles.Write(agent, "pids.max", limits.PidsMax.ToString(CultureInfo.InvariantCulture));
        }

        if (limits.CpuMaxCores is { } cores)
        {
            if (_controllers.Contains("cpu"))
            {
                var quota = (long)Math.Round(cores * CpuPeriodMicroseconds);
                CgroupFiles.Write(agent, "cpu.max", string.Create(CultureInfo.InvariantCulture, $"{quota} {CpuPeriodMicroseconds}"));
            }
            else if (Interlocked.Exchange(ref _cpuWarned, 1) == 0)
            {
                CgroupLog.NoCpuController(_logger);
            }
        }
    }
}

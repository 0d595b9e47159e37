using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>
/// Task cgroups on the v1 hierarchies a root daemon can write: <c>&lt;mount&gt;/agor/&lt;instance&gt;/&lt;task&gt;</c>
/// in memory and pids (always, so every process of the task is tracked and can be killed) and in cpu
/// when <c>cpu_max</c> is set. The owner uid gets <c>cgroup.procs</c> and <c>tasks</c>, so the
/// executor user's guard can write its own pid into them. Safe to use from several tasks at once.
/// </summary>
internal sealed class CgroupV1Limiter : ITaskResourceLimiter
{
    private const long CpuPeriodMicroseconds = 100_000;

    private readonly string _memoryMount;
    private readonly string _pidsMount;
    private readonly string? _cpuMount;
    private readonly string _instance;
    private readonly ILogger _logger;
    private readonly Lock _layout = new();
    private int _cpuWarned;

    public CgroupV1Limiter(string memoryMount, string pidsMount, string? cpuMount, string instance, ILogger logger)
    {
        _memoryMount = memoryMount;
        _pidsMount = pidsMount;
        _cpuMount = cpuMount;
        _instance = CgroupFiles.Component(instance, nameof(instance));
        _logger = logger;
        Support = new ResourceLimitSupport("v1", cpuMount is null ? ["memory", "pids"] : ["memory", "pids", "cpu"], Path.GetDirectoryName(memoryMount), null);
    }

    public ResourceLimitSupport Support { get; }

    /// <summary>The directory under which this instance's task cgroups of <paramref name="mount"/> live.</summary>
    public string InstanceDirectory(string mount) => Path.Combine(mount, "agor", _instance);

    /// <inheritdoc/>
    /// <exception cref="ResourceLimitException">A directory or control file could not be made or written; nothing is left behind.</exception>
    public Task<ITaskLimits?> CreateAsync(string taskId, int ownerUid, int executorPid, ResourceLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var name = CgroupFiles.Component(taskId, nameof(taskId));
        var memory = Path.Combine(InstanceDirectory(_memoryMount), name);
        var pids = Path.Combine(InstanceDirectory(_pidsMount), name);
        string? cpu = null;
        if (limits.CpuMaxCores is not null)
        {
            if (_cpuMount is null)
            {
                if (Interlocked.Exchange(ref _cpuWarned, 1) == 0)
                {
                    CgroupLog.NoCpuController(_logger);
                }
            }
            else
            {
                cpu = Path.Combine(InstanceDirectory(_cpuMount), name);
            }
        }

        List<string> paths = cpu is null ? [memory, pids] : [memory, pids, cpu];
        try
        {
            lock (_layout)
            {
                foreach (var path in paths)
                {
                    Directory.CreateDirectory(path);
                }
            }

            if (limits.MemoryMaxBytes > 0)
            {
                var bytes = limits.MemoryMaxBytes.ToString(CultureInfo.InvariantCulture);
                CgroupFiles.Write(memory, "memory.limit_in_bytes", bytes);

                // With swap accounting, memory+swap gets the same bound, so swapping is no way around it.
                if (File.Exists(Path.Combine(memory, "memory.memsw.limit_in_bytes")))
                {
                    CgroupFiles.Write(memory, "memory.memsw.limit_in_bytes", bytes);
                }
            }

            if (limits.PidsMax > 0)
            {
                CgroupFiles.Write(pids, "pids.max", limits.PidsMax.ToString(CultureInfo.InvariantCulture));
            }

            if (cpu is not null)
            {
                var quota = (long)Math.Round(limits.CpuMaxCores!.Value * CpuPeriodMicroseconds);
                CgroupFiles.Write(cpu, "cpu.cfs_period_us", CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
                CgroupFiles.Write(cpu, "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture));
            }

            foreach (var path in paths)
            {
                CgroupFiles.Chown(path, "cgroup.procs", ownerUid);
                CgroupFiles.Chown(path, "tasks", ownerUid);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ResourceLimitException)
        {
            foreach (var path in paths)
            {
                CgroupFiles.Remove(path, _logger);
            }

            throw ex as ResourceLimitException ?? new ResourceLimitException($"could not create the task cgroup {memory}: {ex.Message}", ex);
        }

        return Task.FromResult<ITaskLimits?>(new CgroupV1TaskLimits(memory, pids, cpu, RemoveInstanceIfEmpty, _logger));
    }

    // After a task: the instance directory goes when it holds no task any more (rmdir refuses
    // otherwise), so a daemon that stopped leaves nothing; under the lock no task of ours is being made meanwhile.
    private void RemoveInstanceIfEmpty()
    {
        lock (_layout)
        {
            foreach (var mount in new[] { _memoryMount, _pidsMount, _cpuMount })
            {
                if (mount is not null)
                {
                    _ = CgroupNative.RemoveDirectory(InstanceDirectory(mount), out _);
                }
            }
        }
    }

    /// <inheritdoc/>
    public Task CleanStaleAsync(CancellationToken cancellationToken)
    {
        foreach (var mount in new[] { _memoryMount, _pidsMount, _cpuMount })
        {
            if (mount is null || !Directory.Exists(InstanceDirectory(mount)))
            {
                continue;
            }

            foreach (var directory in Directory.EnumerateDirectories(InstanceDirectory(mount)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (CgroupFiles.Pids(directory).Count > 0)
                {
                    CgroupLog.StaleInUse(_logger, directory);
                }
                else if (CgroupFiles.Remove(directory, _logger))
                {
                    CgroupLog.RemovedStale(_logger, directory);
                }
            }
        }

        RemoveInstanceIfEmpty();
        return Task.CompletedTask;
    }
}

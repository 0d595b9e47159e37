namespace Agor.Daemon.Sandbox;

/// <summary>
/// Kernel-enforced resource limits for one task's agent: a cgroup (v2 where the daemon has a
/// delegated subtree, v1 where that is what the machine mounts), created before the task starts,
/// joined by the agent's guard before bubblewrap, read when the task ends, removed afterwards.
/// </summary>
internal interface ITaskResourceLimiter
{
    /// <summary>What this machine offers: which cgroup version and controllers, or why none.</summary>
    ResourceLimitSupport Support { get; }

    /// <summary>
    /// Creates the task's cgroup with <paramref name="limits"/>, joinable by <paramref name="ownerUid"/>
    /// (the executor's user, whose guard joins it before starting bubblewrap). Under v2 the daemon
    /// may first move the executor (<paramref name="executorPid"/>, verified) into the task's subtree,
    /// as a v2 move needs write access to the common ancestor. Null when the machine offers no cgroup.
    /// </summary>
    Task<ITaskLimits?> CreateAsync(string taskId, int ownerUid, int executorPid, ResourceLimits limits, CancellationToken cancellationToken);

    /// <summary>Removes what earlier runs of this daemon left behind (empty task cgroups).</summary>
    Task CleanStaleAsync(CancellationToken cancellationToken);
}

/// <summary>One task's cgroup. Disposing kills whatever is still inside and removes it.</summary>
internal interface ITaskLimits : IAsyncDisposable
{
    /// <summary>The directories the agent's guard joins (one per v1 controller, or one v2 leaf).</summary>
    IReadOnlyList<string> Paths { get; }

    /// <summary>Which limits the kernel enforced so far.</summary>
    LimitHits ReadHits();
}

/// <summary>The limits of <c>sandbox.memory_max</c>, <c>pids_max</c>, <c>cpu_max</c>; 0 or null: none.</summary>
internal sealed record ResourceLimits(long MemoryMaxBytes, long PidsMax, double? CpuMaxCores)
{
    /// <summary>The text of the config values, for messages (e.g. <c>4G</c>).</summary>
    public string MemoryMaxText { get; init; } = MemoryMaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What the kernel did at the limits: processes killed at memory_max, forks refused at pids_max.</summary>
internal sealed record LimitHits(long OomKills, long ForksRefused)
{
    public static readonly LimitHits None = new(0, 0);

    public bool Any => OomKills > 0 || ForksRefused > 0;
}

/// <summary>The cgroup facilities found at start: <c>v2</c>, <c>v1</c> or <c>none</c>, the usable controllers, and what is missing.</summary>
internal sealed record ResourceLimitSupport(string Version, IReadOnlyList<string> Controllers, string? Root, string? Problem)
{
    public static ResourceLimitSupport None(string problem) => new("none", [], null, problem);
}

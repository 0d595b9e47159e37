namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>The machine offers no cgroup the daemon can use: no task gets one, and <see cref="Support"/> says why.</summary>
internal sealed class NoResourceLimiter(string problem) : ITaskResourceLimiter
{
    public ResourceLimitSupport Support { get; } = ResourceLimitSupport.None(problem);

    public Task<ITaskLimits?> CreateAsync(string taskId, int ownerUid, int executorPid, ResourceLimits limits, CancellationToken cancellationToken) =>
        Task.FromResult<ITaskLimits?>(null);

    public Task CleanStaleAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

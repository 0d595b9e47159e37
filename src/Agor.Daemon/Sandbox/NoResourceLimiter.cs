namespace Agor.Daemon.Sandbox;

/// <summary>No cgroups: every task gets only the <c>setrlimit</c> fallback. Stands in until the cgroup limiter is wired.</summary>
internal sealed class NoResourceLimiter : ITaskResourceLimiter
{
    public ResourceLimitSupport Support { get; } = ResourceLimitSupport.None("no cgroup limiter in this build");

    public Task<ITaskLimits?> CreateAsync(string taskId, int ownerUid, int executorPid, ResourceLimits limits, CancellationToken cancellationToken) =>
        Task.FromResult<ITaskLimits?>(null);

    public Task CleanStaleAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

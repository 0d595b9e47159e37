using Agor.Protocol.Wire;

namespace Agor.Daemon.Sandbox;

/// <summary>
/// One task's confinement as the daemon prepared it: the spec sent with <c>execute_prompt</c> and
/// the task's cgroup, if any. Disposed after the executor has gone: the cgroup is then emptied and removed.
/// </summary>
internal sealed class TaskSandbox(SandboxSpec spec, ITaskLimits? limits, ResourceLimits resourceLimits) : IAsyncDisposable
{
    private int _disposed;

    public SandboxSpec Spec { get; } = spec;

    public ResourceLimits ResourceLimits { get; } = resourceLimits;

    /// <summary>True when the agent gets a network namespace of its own (and must be given the addresses inside it).</summary>
    public bool NetworkIsolated => Spec.Network is { Isolate: true };

    /// <summary>What the kernel enforced so far; none without a cgroup.</summary>
    public LimitHits ReadHits() => limits?.ReadHits() ?? LimitHits.None;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && limits is not null)
        {
            await limits.DisposeAsync();
        }
    }
}

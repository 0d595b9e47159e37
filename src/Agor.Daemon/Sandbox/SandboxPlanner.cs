using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Executors;
using Agor.Daemon.Network;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox;

/// <summary>
/// Builds each task's <c>execute_prompt.sandbox</c> from the configuration and the start-up probe,
/// and creates the task's cgroup for the verified executor (its user joins it; the agent's guard
/// moves into it before bubblewrap starts). Where there is no cgroup, <c>pids_max</c> travels as
/// RLIMIT_NPROC instead. What the agent must never see is always denied: the daemon's AGOR_HOME and
/// the executor socket's directory (unless it is /tmp, which the agent gets privately anyway). A
/// task that will be sandboxed also gets a network namespace of its own, whose only ways out are
/// the <see cref="AgentNetwork"/>'s forwards.
/// </summary>
internal sealed class SandboxPlanner(AgorConfig config, SandboxStatus status, AgentHomes homes, ITaskResourceLimiter limiter, AgentNetwork network, ILogger logger)
{
    private readonly ResourceLimits _limits = config.Sandbox.ToResourceLimits();

    public SandboxStatus Status => status;

    public AgentHomes Homes => homes;

    /// <summary>The task's sandbox, for an executor that has been verified (its pid and user are the kernel's).</summary>
    public async Task<TaskSandbox> PrepareAsync(AgorTask task, Session session, ExecutorLease lease, CancellationToken cancellationToken = default)
    {
        ITaskLimits? limits = null;
        try
        {
            limits = await limiter.CreateAsync(task.Id, lease.Executor.Spec.ExpectedUid, lease.Pid, _limits, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A task is not refused for its limits: the rlimit fallback still bounds its processes.
            SandboxLog.LimitsFailed(logger, ex, task.Id);
        }

        var spec = new SandboxSpec
        {
            Mode = config.Sandbox.Mode,
            BwrapPath = config.Sandbox.BwrapPath,
            Unavailable = status.Unavailable,
            AgentHome = homes.For(session.Id, lease.UnixUser),
            HomeTemplate = homes.Template,
            ReadOnly = config.Sandbox.ReadOnly,
            ReadWrite = config.Sandbox.ReadWrite,
            Deny = Deny(lease.Executor.Spec.SocketPath),
            CgroupPaths = limits?.Paths ?? [],
            RlimitNproc = limits is null ? config.Sandbox.PidsMax : 0,

            // As the executor decides: bwrap runs unless the mode is off or (auto) the probe failed.
            Network = config.Sandbox.Mode != SandboxModes.Off && status.Available ? network.SandboxSpec() : null,
        };
        return new TaskSandbox(spec, limits, _limits);
    }

    private List<string> Deny(string socketPath)
    {
        var deny = new List<string>(config.Sandbox.Deny) { config.Home };
        if (Path.GetDirectoryName(socketPath) is { Length: > 0 } socketDirectory
            && Path.TrimEndingDirectorySeparator(socketDirectory) != "/tmp")
        {
            deny.Add(socketDirectory);
        }

        return [.. deny.Distinct(StringComparer.Ordinal)];
    }
}

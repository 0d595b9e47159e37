using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Execution;
using Agor.Daemon.Storage;
using Agor.Protocol.Wire;

namespace Agor.Daemon.Gateway;

/// <summary>
/// Binds tasks to the gateway: a placeholder per key request (revoked with the task, whatever way
/// it ends), and at the end the gateway's own usage figures and budget verdict on the outcome.
/// </summary>
/// <remarks><paramref name="limits"/> is read as each task binds, so a reloaded config.yaml (SIGHUP) applies to the tasks after it.</remarks>
internal sealed class TaskGateway(ModelGateway gateway, IAgorStore store, Func<LimitSettings> limits)
{
    public const string BudgetExceeded = "budget_exceeded";

    public string Url => gateway.Url;

    /// <summary>True when the gateway forwards to <paramref name="service"/>.</summary>
    public bool Serves(string service) => gateway.Serves(service);

    /// <summary>A new placeholder for the task, good for <paramref name="service"/> only (the first request binds the task to the gateway).</summary>
    public async ValueTask<string> MintAsync(RunningTask running, string service, CancellationToken cancellationToken)
    {
        if (running.Gateway is null)
        {
            var spent = 0.0;
            var caps = limits();
            if (caps.MaxCostUsdPerSession > 0)
            {
                foreach (var earlier in await store.Tasks.ListBySessionAsync(running.Session.Id, cancellationToken))
                {
                    spent += earlier.Id == running.Task.Id ? 0 : earlier.CostUsd ?? 0;
                }
            }

            var bound = new GatewayTask(running.Task.Id, running.Session.Id, spent, caps.MaxCostUsdPerTask, caps.MaxCostUsdPerSession);
            if (Interlocked.CompareExchange(ref running.GatewaySlot, bound, null) is null)
            {
                running.Ended.Token.Register(() => gateway.Placeholders.Revoke(bound));
            }
        }

        return gateway.Placeholders.Mint(running.Gateway!, service);
    }

    /// <summary>
    /// Called once the outcome is known, before it is stored: the placeholders die now, the task's
    /// usage is what the gateway measured, and a task refused for budget fails with budget_exceeded.
    /// </summary>
    public static TaskOutcome Settle(RunningTask running, TaskOutcome outcome)
    {
        if (running.Gateway is not { } bound)
        {
            return outcome;
        }

        // Refused from now on; the registry forgets the hashes when the task's Ended fires.
        bound.Revoke();
        if (bound.Spent() is { } spent)
        {
            running.Task = running.Task with { TokenUsage = spent.Usage, CostUsd = spent.CostUsd };
            outcome = outcome with { Report = outcome.Report is null ? null : outcome.Report with { TokenUsage = null, CostUsd = null } };
        }

        return bound.BudgetRefusal is { } refusal && outcome.Status != TaskStatuses.Cancelled
            ? outcome with { Status = TaskStatuses.Failed, Error = new ErrorInfo(BudgetExceeded, refusal) }
            : outcome;
    }
}

using Agor.Daemon.Api;
using Agor.Daemon.Domain;
using Agor.Daemon.Events;
using Agor.Daemon.Storage;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Hosting;

/// <summary>
/// What a daemon that stopped without cleaning up (killed, crashed, power loss) left behind,
/// put right before the API opens: unfinished tasks fail with <c>daemon_restarted</c> (queued ones
/// too: an old prompt should not start unattended), their tokens are revoked, pending permission
/// requests are cancelled, and leftover executor processes are ended.
/// </summary>
internal static class StartupRecovery
{
    private static readonly string[] Unfinished = [TaskStatuses.Queued, TaskStatuses.Running, TaskStatuses.AwaitingPermission];

    public static async Task RunAsync(IAgorStore store, EventHub events, ExecutorLedger ledger, TimeProvider clock, ILogger logger, CancellationToken cancellationToken)
    {
        ledger.EndLeftovers();

        foreach (var request in await store.Permissions.ListAsync(PermissionStatuses.Pending, cancellationToken))
        {
            await store.Permissions.DecideAsync(request.Id, PermissionStatuses.Cancelled, "The daemon restarted before anyone answered.", clock.GetUtcNow(), cancellationToken);
            HostLog.RecoveredPermission(logger, request.Id);
        }

        foreach (var task in await store.Tasks.ListByStatusAsync(Unfinished, cancellationToken))
        {
            await store.Tokens.RevokeForTaskAsync(task.Id, cancellationToken);
            var failed = task with
            {
                Status = TaskStatuses.Failed,
                CompletedAt = clock.GetUtcNow(),
                Error = new ErrorInfo("daemon_restarted", $"The daemon stopped while this task was {task.Status}; messages received before that are kept."),
            };
            await store.Tasks.UpdateAsync(failed, cancellationToken);
            await events.PublishAsync(EventNames.TaskUpdated, task.SessionId, TaskView.From(failed), ApiJsonContext.Default.TaskView, cancellationToken: cancellationToken);
            HostLog.RecoveredTask(logger, task.Id, task.Status);
        }
    }
}

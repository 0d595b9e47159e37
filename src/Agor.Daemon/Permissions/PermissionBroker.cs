using System.Collections.Concurrent;
using Agor.Daemon.Api;
using Agor.Daemon.Domain;
using Agor.Daemon.Events;
using Agor.Daemon.Storage;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Permissions;

/// <summary>
/// Decides whether an agent may run a tool. The mode decides what it can (bypassPermissions allows,
/// acceptEdits allows file edits, plan denies), the user decides the rest: a pending request is
/// stored and announced, and answered through the API — or denied when nobody answers in time
/// (<paramref name="timeout"/> is read per request, so a reloaded config.yaml applies to the next question).
/// </summary>
internal sealed class PermissionBroker(IAgorStore store, EventHub events, TimeProvider clock, Func<TimeSpan> timeout, ILogger<PermissionBroker> logger)
{
    private static readonly HashSet<string> EditTools = new(["Edit", "Write", "MultiEdit", "NotebookEdit"], StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<PermissionDecision>> _waiting = new(StringComparer.Ordinal);

    /// <summary>
    /// Answers one request of a task. <paramref name="waitingChanged"/> is told when the task starts
    /// and stops waiting for a person. Cancelling (the task ended) denies and cancels the request.
    /// </summary>
    public async Task<PermissionDecision> DecideAsync(
        AgorTask task, RequestPermissionParams request, Func<bool, Task> waitingChanged, CancellationToken cancellationToken)
    {
        switch (task.PermissionMode)
        {
            case PermissionModes.BypassPermissions:
                return new PermissionDecision(true, "Allowed by bypassPermissions mode.");
            case PermissionModes.AcceptEdits when EditTools.Contains(request.ToolName):
                return new PermissionDecision(true, "File edits are allowed in acceptEdits mode.");
            case PermissionModes.Plan:
                return new PermissionDecision(false, $"Plan mode is read-only: {request.ToolName} is not allowed.");
        }

        var pending = new PermissionRequest
        {
            Id = Ids.New("perm"),
            SessionId = task.SessionId,
            TaskId = task.Id,
            ToolName = request.ToolName,
            ToolInput = request.ToolInput.ValueKind == System.Text.Json.JsonValueKind.Undefined ? "{}" : request.ToolInput.GetRawText(),
            ToolUseId = request.ToolUseId,
            CreatedAt = clock.GetUtcNow(),
        };
        var answer = new TaskCompletionSource<PermissionDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = timeout();
        _waiting[pending.Id] = answer;
        try
        {
            await store.Permissions.CreateAsync(pending, cancellationToken);
            await waitingChanged(true);
            await events.PublishAsync(EventNames.PermissionRequested, task.SessionId, PermissionView.From(pending), ApiJsonContext.Default.PermissionView, cancellationToken: cancellationToken);

            var decided = await Task.WhenAny(answer.Task, Task.Delay(wait, clock, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default));
            if (decided != answer.Task)
            {
                var (status, reason) = cancellationToken.IsCancellationRequested
                    ? (PermissionStatuses.Cancelled, "The task ended before anyone answered.")
                    : (PermissionStatuses.TimedOut, $"Nobody answered within {wait.TotalMilliseconds:0} ms; denied.");
                if (await store.Permissions.DecideAsync(pending.Id, status, reason, clock.GetUtcNow(), CancellationToken.None))
                {
                    PermissionBrokerLog.Unanswered(logger, pending.Id, request.ToolName, status);
                    await AnnounceAsync(pending.Id);
                    return new PermissionDecision(false, reason);
                }

                // Someone answered at the last moment; their answer stands.
            }

            return await answer.Task;
        }
        finally
        {
            _waiting.TryRemove(pending.Id, out _);
            await waitingChanged(false);
        }
    }

    /// <summary>A person's answer. Null when there is no such request; unchanged when it was no longer pending.</summary>
    public async Task<PermissionRequest?> ResolveAsync(string id, bool allow, string? reason, CancellationToken cancellationToken = default)
    {
        var status = allow ? PermissionStatuses.Allowed : PermissionStatuses.Denied;
        reason ??= allow ? "Allowed by the user." : "Denied by the user.";
        if (!await store.Permissions.DecideAsync(id, status, reason, clock.GetUtcNow(), cancellationToken))
        {
            return await store.Permissions.GetAsync(id, cancellationToken);
        }

        var decided = await AnnounceAsync(id);
        if (_waiting.TryGetValue(id, out var answer))
        {
            answer.TrySetResult(new PermissionDecision(allow, reason));
        }

        return decided;
    }

    private async Task<PermissionRequest?> AnnounceAsync(string id)
    {
        var decided = await store.Permissions.GetAsync(id);
        if (decided is not null)
        {
            await events.PublishAsync(EventNames.PermissionResolved, decided.SessionId, PermissionView.From(decided), ApiJsonContext.Default.PermissionView);
        }

        return decided;
    }
}

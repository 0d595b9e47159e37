using Agor.Daemon.Api;
using Agor.Daemon.Configuration;
using Agor.Daemon.Domain;
using Agor.Daemon.Events;
using Agor.Daemon.Permissions;
using Agor.Daemon.Security;
using Agor.Daemon.Storage;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Execution;

/// <summary>
/// The daemon's answers to an executor, registered on each executor connection. Every request is
/// checked against its session token (bound to this connection's executor and the task) and
/// audited, good or bad, without secrets. Notifications are checked in memory (they are the hot
/// path) and audited only when refused.
/// </summary>
internal sealed class ExecutorRequestHandlers(
    IAgorStore store,
    SessionTokenService tokens,
    PermissionBroker permissions,
    EventHub events,
    AgorConfig config,
    TimeProvider clock,
    ILogger<ExecutorRequestHandlers> logger)
{
    /// <summary>An agent needs its key once per start; a few more allow for retries, not for harvesting.</summary>
    public const int KeyRequestsPerTask = 5;

    private static readonly HashSet<string> TransientEvents = new([EventTypes.ContentBlockDelta, EventTypes.ThinkingChunk], StringComparer.Ordinal);

    /// <summary>Set once the coordinator exists (it needs the pool, which needs these handlers).</summary>
    public TaskCoordinator Coordinator { get; set; } = null!;

    public void Register(JsonRpcPeer peer, string executorId)
    {
        peer.AddRequestHandler(Methods.GetExecutionContext, (p, ct) => Audited(executorId, Methods.GetExecutionContext.Name, p.SessionToken, null, null, running => GetContextAsync(running, ct), ct));
        peer.AddRequestHandler(Methods.GetApiKey, (p, ct) => Audited(executorId, Methods.GetApiKey.Name, p.SessionToken, null, $"service={p.Service}", running => GetApiKey(running, p.Service), ct));
        peer.AddRequestHandler(Methods.RequestPermission, (p, ct) => Audited(executorId, Methods.RequestPermission.Name, p.SessionToken, p.TaskId, $"tool={p.ToolName}", running => RequestPermissionAsync(running, p), ct));
        peer.AddRequestHandler(Methods.ReportCompletion, (p, ct) => Audited(executorId, Methods.ReportCompletion.Name, p.SessionToken, p.TaskId, $"status={p.Status}", running => ReportCompletion(running, p), ct));
        peer.AddNotificationHandler(Methods.ReportMessage, (p, ct) => OnMessageAsync(executorId, p, ct));
        peer.AddNotificationHandler(Methods.ReportError, (p, ct) => OnErrorAsync(executorId, p, ct));
        peer.AddNotificationHandler(Methods.ReportProgress, (p, ct) => OnProgressAsync(executorId, p, ct));
    }

    private async ValueTask<TResult> Audited<TResult>(
        string executorId, string method, string? token, string? taskId, string? detail,
        Func<RunningTask, ValueTask<TResult>> handle, CancellationToken cancellationToken)
    {
        SessionToken record;
        RunningTask? running;
        try
        {
            record = await tokens.ValidateAsync(token, executorId, taskId, cancellationToken);
            running = Coordinator.FindRunning(record.TaskId);
            if (running is null || running.ExecutorId != executorId)
            {
                throw SessionTokenService.Refused();
            }
        }
        catch (JsonRpcException ex)
        {
            await AuditAsync(executorId, method, null, taskId, "invalid_token", detail);
            TaskCoordinatorLog.Refused(logger, executorId, method, ex.Message);
            throw;
        }

        try
        {
            var result = await handle(running);
            await AuditAsync(executorId, method, record.SessionId, record.TaskId, "ok", detail);
            return result;
        }
        catch (JsonRpcException ex)
        {
            await AuditAsync(executorId, method, record.SessionId, record.TaskId, Outcome(ex.Code), detail);
            throw;
        }
    }

    private async ValueTask<TaskExecutionContext> GetContextAsync(RunningTask running, CancellationToken cancellationToken)
    {
        // Read the session afresh: the previous task may just have set the agent session to resume.
        var session = await store.Sessions.GetAsync(running.Session.Id, cancellationToken) ?? running.Session;
        return new TaskExecutionContext
        {
            SessionId = session.Id,
            TaskId = running.Task.Id,
            Agent = session.Agent,
            AgentPath = config.Agents.ClaudeCodePath,
            Model = session.Model,
            AgentSessionId = session.AgentSessionId,
            PermissionMode = running.Task.PermissionMode,
        };
    }

    private ValueTask<ApiKeyResult> GetApiKey(RunningTask running, string service)
    {
        if (!running.AllowKeyRequest(KeyRequestsPerTask))
        {
            throw new JsonRpcException(JsonRpcErrorCode.Busy, $"Limit reached: at most {KeyRequestsPerTask} key requests per task.");
        }

        if (!config.Credentials.Services.TryGetValue(service, out var credential) || string.IsNullOrEmpty(credential.ApiKey))
        {
            throw new JsonRpcException(JsonRpcErrorCode.NoApiKey, $"No API key is configured for '{service}' (set credentials.{service}.api_key in config.yaml).");
        }

        return ValueTask.FromResult(new ApiKeyResult(credential.ApiKey, credential.BaseUrl));
    }

    private async ValueTask<PermissionDecision> RequestPermissionAsync(RunningTask running, RequestPermissionParams request)
    {
        var decision = await permissions.DecideAsync(running.Task, request, waiting => Coordinator.SetWaitingForPermissionAsync(running, waiting), running.Ended.Token);
        return decision;
    }

    private static ValueTask<AcknowledgedResult> ReportCompletion(RunningTask running, ReportCompletionParams report)
    {
        if (report.Status is not (CompletionStatus.Completed or CompletionStatus.Failed or CompletionStatus.Cancelled))
        {
            throw JsonRpcException.InvalidParams("status", "must be completed, failed or cancelled");
        }

        running.Revoked = true;
        running.Completion.TrySetResult(report);
        return ValueTask.FromResult(new AcknowledgedResult(true));
    }

    private async ValueTask OnMessageAsync(string executorId, ReportMessageParams message, CancellationToken cancellationToken)
    {
        if (await AuthorizeNotificationAsync(executorId, Methods.ReportMessage.Name, message.SessionToken, message.TaskId) is not { } running)
        {
            return;
        }

        if (running.NoteSequence(message.Sequence) is { } expected)
        {
            TaskCoordinatorLog.SequenceGap(logger, message.TaskId, message.Sequence, expected);
        }

        if (TransientEvents.Contains(message.EventType))
        {
            await events.PublishAsync(
                EventNames.MessageDelta,
                running.Session.Id,
                new DeltaView(running.Session.Id, message.TaskId, message.Sequence, message.EventType, message.EventData),
                ApiJsonContext.Default.DeltaView,
                transient: true,
                cancellationToken: cancellationToken);
            return;
        }

        await StoreMessageAsync(running, message.Sequence, message.EventType, message.EventData.GetRawText(), cancellationToken);
    }

    private async ValueTask OnErrorAsync(string executorId, ReportErrorParams report, CancellationToken cancellationToken)
    {
        if (await AuthorizeNotificationAsync(executorId, Methods.ReportError.Name, report.SessionToken, report.TaskId) is not { } running)
        {
            return;
        }

        TaskCoordinatorLog.ExecutorReportedError(logger, executorId, report.Error.Code, report.Error.Message);
        var data = System.Text.Json.JsonSerializer.Serialize(report.Error, ApiJsonContext.Default.ErrorInfo);
        await StoreMessageAsync(running, 0, EventTypes.Error, data, cancellationToken);
    }

    private async ValueTask OnProgressAsync(string executorId, ReportProgressParams report, CancellationToken cancellationToken)
    {
        if (await AuthorizeNotificationAsync(executorId, Methods.ReportProgress.Name, report.SessionToken, report.TaskId) is not { } running)
        {
            return;
        }

        var data = System.Text.Json.JsonSerializer.SerializeToElement(report.Progress, Protocol.Wire.ProtocolJsonContext.Default.ProgressInfo);
        await events.PublishAsync(
            EventNames.MessageDelta,
            running.Session.Id,
            new DeltaView(running.Session.Id, report.TaskId, 0, "progress", data),
            ApiJsonContext.Default.DeltaView,
            transient: true,
            cancellationToken: cancellationToken);
    }

    private async Task StoreMessageAsync(RunningTask running, long taskSequence, string eventType, string eventData, CancellationToken cancellationToken)
    {
        var stored = await store.Messages.AppendAsync(
            new StoredMessage
            {
                SessionId = running.Session.Id,
                TaskId = running.Task.Id,
                TaskSequence = taskSequence,
                EventType = eventType,
                EventData = eventData,
                Timestamp = clock.GetUtcNow(),
            },
            cancellationToken);
        await events.PublishAsync(EventNames.MessageCreated, running.Session.Id, MessageView.From(stored), ApiJsonContext.Default.MessageView, cancellationToken: cancellationToken);
    }

    private async Task<RunningTask?> AuthorizeNotificationAsync(string executorId, string method, string? token, string taskId)
    {
        var running = Coordinator.FindRunning(taskId);
        if (running is not null && running.Accepts(token, executorId, clock))
        {
            return running;
        }

        await AuditAsync(executorId, method, null, taskId, "invalid_token", "notification dropped");
        TaskCoordinatorLog.Refused(logger, executorId, method, "invalid or expired session token");
        return null;
    }

    private Task AuditAsync(string executorId, string method, string? sessionId, string? taskId, string outcome, string? detail) =>
        store.Audit.AppendAsync(new AuditEntry
        {
            Time = clock.GetUtcNow(),
            ExecutorId = executorId,
            Method = method,
            SessionId = sessionId,
            TaskId = taskId,
            Outcome = outcome,
            Detail = detail,
        });

    private static string Outcome(JsonRpcErrorCode code) => code switch
    {
        JsonRpcErrorCode.InvalidSessionToken => "invalid_token",
        JsonRpcErrorCode.NoApiKey => "no_api_key",
        JsonRpcErrorCode.PermissionDenied => "denied",
        JsonRpcErrorCode.Busy => "limit_reached",
        JsonRpcErrorCode.InvalidParams => "invalid_params",
        _ => "error",
    };
}

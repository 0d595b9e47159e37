using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
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
    Gateway.TaskGateway? gateway,
    Egress.EgressProxy egress,
    Network.AgentNetwork network,
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
        // One per connection: what this executor had refused, so a flood is logged in a few lines.
        var refusals = new RefusalThrottle();
        peer.AddRequestHandler(Methods.GetExecutionContext, (p, ct) => Audited(executorId, refusals, Methods.GetExecutionContext.Name, p.SessionToken, null, null, running => GetContextAsync(running, ct), ct));
        peer.AddRequestHandler(Methods.GetApiKey, (p, ct) => Audited(executorId, refusals, Methods.GetApiKey.Name, p.SessionToken, null, $"service={p.Service}", running => GetApiKeyAsync(running, p.Service, ct), ct));
        peer.AddRequestHandler(Methods.RequestPermission, (p, ct) => Audited(executorId, refusals, Methods.RequestPermission.Name, p.SessionToken, p.TaskId, $"tool={p.ToolName}", running => RequestPermissionAsync(running, p), ct));
        peer.AddRequestHandler(Methods.ReportCompletion, (p, ct) => Audited(executorId, refusals, Methods.ReportCompletion.Name, p.SessionToken, p.TaskId, $"status={p.Status}", running => ReportCompletion(running, p), ct));
        peer.AddNotificationHandler(Methods.ReportMessage, (p, ct) => OnMessageAsync(executorId, refusals, p, ct));
        peer.AddNotificationHandler(Methods.ReportError, (p, ct) => OnErrorAsync(executorId, refusals, p, ct));
        peer.AddNotificationHandler(Methods.ReportProgress, (p, ct) => OnProgressAsync(executorId, refusals, p, ct));
    }

    private async ValueTask<TResult> Audited<TResult>(
        string executorId, RefusalThrottle refusals, string method, string? token, string? taskId, string? detail,
        Func<RunningTask, ValueTask<TResult>> handle, CancellationToken cancellationToken)
    {
        SessionToken record;
        RunningTask? running;
        try
        {
            record = await tokens.ValidateAsync(token, executorId, taskId, cancellationToken);
            running = Coordinator.FindRunning(record.TaskId);

            // Revoked in memory the moment report_completion arrived, before the database knows.
            if (running is null || running.ExecutorId != executorId || running.Revoked)
            {
                throw SessionTokenService.Refused();
            }
        }
        catch (JsonRpcException ex)
        {
            // Every request is audited (SPEC); the log line comes once per burst.
            await AuditAsync(executorId, method, null, taskId, "invalid_token", detail);
            if (refusals.ShouldLog("request_invalid_token", out _))
            {
                TaskCoordinatorLog.Refused(logger, executorId, method, ex.Message);
            }

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
            AgentPath = config.Agents.PathFor(session.Agent) ?? config.Agents.ClaudeCodePath,
            Model = running.Task.Model,
            AgentSessionId = session.AgentSessionId,
            PermissionMode = running.Task.PermissionMode,
            Env = ProxyEnvironment(running),
        };
    }

    // The task's proxy credentials at the proxy's address as the agent sees it (inside its network
    // namespace, or the host's loopback), revoked the moment the task ends; the gateway is reached directly (NO_PROXY).
    private Dictionary<string, string> ProxyEnvironment(RunningTask running)
    {
        var environment = egress.EnvironmentFor(running.Task.Id, network.AddressesFor(running.NetworkIsolated));
        var taskId = running.Task.Id;
        running.Ended.Token.Register(() => egress.Tokens.Revoke(taskId));
        return environment;
    }

    private async ValueTask<ApiKeyResult> GetApiKeyAsync(RunningTask running, string service, CancellationToken cancellationToken)
    {
        if (!running.AllowKeyRequest(KeyRequestsPerTask))
        {
            throw new JsonRpcException(JsonRpcErrorCode.Busy, $"Limit reached: at most {KeyRequestsPerTask} key requests per task.");
        }

        // No real key ever leaves the daemon: every service is reached through the gateway with a
        // placeholder bound to this task and to that service alone.
        if (!Gateway.Upstreams.GatewayServices.IsKnown(service))
        {
            throw new JsonRpcException(JsonRpcErrorCode.NoApiKey, $"No API key is handed out for '{service}': the daemon serves only anthropic, openai and google, through its model gateway.");
        }

        if (!config.Credentials.Services.TryGetValue(service, out var credential) || string.IsNullOrEmpty(credential.ApiKey))
        {
            throw new JsonRpcException(JsonRpcErrorCode.NoApiKey, $"No API key is configured for '{service}' (set credentials.{service}.api_key in config.yaml).");
        }

        if (gateway is null || !gateway.Serves(service))
        {
            throw new JsonRpcException(JsonRpcErrorCode.NoApiKey, $"The model gateway does not forward to '{service}', so no key can be handed out for it (restart the daemon after setting credentials.{service}.api_key).");
        }

        // The same base URL for every agent: the executor adds /v1 for Codex's provider.
        var baseUrl = network.AddressesFor(running.NetworkIsolated).ModelBaseUrl ?? gateway.Url;
        return new ApiKeyResult(await gateway.MintAsync(running, service, cancellationToken), baseUrl);
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

        // Only the first report counts; the token is revoked by it, so a second one is normally
        // refused before it gets here. This covers two that race.
        if (!running.TryComplete(report))
        {
            throw new JsonRpcException(JsonRpcErrorCode.InvalidSessionToken, "The task has already reported its completion.");
        }

        return ValueTask.FromResult(new AcknowledgedResult(true));
    }

    private async ValueTask OnMessageAsync(string executorId, RefusalThrottle refusals, ReportMessageParams message, CancellationToken cancellationToken)
    {
        // Fields the wire contract requires; a hostile executor may leave any out. Dropped, not fatal.
        var missing = message.TaskId is null ? "task_id"
            : string.IsNullOrEmpty(message.EventType) ? "event_type"
            : message.EventData.ValueKind == JsonValueKind.Undefined ? "event_data"
            : null;
        if (missing is not null)
        {
            if (refusals.ShouldLog("missing_field", out var unlogged))
            {
                TaskCoordinatorLog.MessageDropped(logger, executorId, message.TaskId ?? "?", $"the required field '{missing}' is missing", unlogged);
            }

            return;
        }

        if (await AuthorizeNotificationAsync(executorId, refusals, Methods.ReportMessage.Name, message.SessionToken, message.TaskId!) is not { } running)
        {
            return;
        }

        // Measured on the bytes as received, before anything is copied.
        var data = JsonMarshal.GetRawUtf8Value(message.EventData);
        if (TransientEvents.Contains(message.EventType))
        {
            if (data.Length > config.Limits.MaxEventBytes)
            {
                Refuse(executorId, refusals, running, "event_too_large", $"a {data.Length}-byte delta is over limits.max_event_bytes ({config.Limits.MaxEventBytes})");
                return;
            }

            await events.PublishAsync(
                EventNames.MessageDelta,
                running.Session.Id,
                new DeltaView(running.Session.Id, message.TaskId!, message.Sequence, message.EventType, message.EventData),
                ApiJsonContext.Default.DeltaView,
                transient: true,
                cancellationToken: cancellationToken);
            return;
        }

        if (Admit(executorId, refusals, running, message.Sequence, data.Length))
        {
            await StoreMessageAsync(running, message.Sequence, message.EventType, Encoding.UTF8.GetString(data), cancellationToken);
        }
    }

    /// <summary>Books a message against its task's limits; false when it is not to be stored (logged, once per burst).</summary>
    private bool Admit(string executorId, RefusalThrottle refusals, RunningTask running, long sequence, long bytes)
    {
        var verdict = running.Messages.TryAdmit(sequence, bytes, config.Limits);
        switch (verdict.Admission)
        {
            case MessageAdmission.Stored:
                return true;
            case MessageAdmission.StoredAfterGap:
                TaskCoordinatorLog.SequenceGap(logger, running.Task.Id, sequence, verdict.Expected);
                return true;
            case MessageAdmission.Stale:
                Refuse(executorId, refusals, running, "stale_sequence", $"sequence {sequence} repeats or goes back (next expected: {verdict.Expected})");
                return false;
            case MessageAdmission.EventTooLarge:
                Refuse(executorId, refusals, running, "event_too_large", $"a {bytes}-byte event is over limits.max_event_bytes ({config.Limits.MaxEventBytes})");
                return false;
            default:
                var limit = verdict.Admission == MessageAdmission.TooManyMessages
                    ? $"limits.max_messages_per_task ({config.Limits.MaxMessagesPerTask} messages)"
                    : $"limits.max_stored_bytes_per_task ({config.Limits.MaxStoredBytesPerTask} bytes)";
                Refuse(executorId, refusals, running, "limit_exceeded", $"the task reached {limit}");
                running.Aborted.TrySetResult(new ErrorInfo("limit_exceeded", $"The task reached {limit}; it was stopped, and the messages stored before that are kept."));
                return false;
        }
    }

    private void Refuse(string executorId, RefusalThrottle refusals, RunningTask running, string kind, string reason)
    {
        if (refusals.ShouldLog(kind, out var unlogged))
        {
            TaskCoordinatorLog.MessageDropped(logger, executorId, running.Task.Id, reason, unlogged);
        }
    }

    private async ValueTask OnErrorAsync(string executorId, RefusalThrottle refusals, ReportErrorParams report, CancellationToken cancellationToken)
    {
        if (report.TaskId is null || report.Error?.Code is null || report.Error.Message is null)
        {
            if (refusals.ShouldLog("missing_field", out var unlogged))
            {
                TaskCoordinatorLog.MessageDropped(logger, executorId, report.TaskId ?? "?", "report_error without task_id or error", unlogged);
            }

            return;
        }

        if (await AuthorizeNotificationAsync(executorId, refusals, Methods.ReportError.Name, report.SessionToken, report.TaskId) is not { } running)
        {
            return;
        }

        var data = JsonSerializer.Serialize(report.Error, ApiJsonContext.Default.ErrorInfo);
        if (!Admit(executorId, refusals, running, 0, Encoding.UTF8.GetByteCount(data)))
        {
            return;
        }

        if (refusals.ShouldLog("reported_error", out _))
        {
            TaskCoordinatorLog.ExecutorReportedError(logger, executorId, report.Error.Code, report.Error.Message);
        }

        await StoreMessageAsync(running, 0, EventTypes.Error, data, cancellationToken);
    }

    private async ValueTask OnProgressAsync(string executorId, RefusalThrottle refusals, ReportProgressParams report, CancellationToken cancellationToken)
    {
        if (report.TaskId is null || report.Progress is null
            || await AuthorizeNotificationAsync(executorId, refusals, Methods.ReportProgress.Name, report.SessionToken, report.TaskId) is not { } running)
        {
            return;
        }

        if (report.Progress.Message is { Length: > 4096 })
        {
            Refuse(executorId, refusals, running, "progress_too_large", "a progress message over 4096 characters");
            return;
        }

        var data = JsonSerializer.SerializeToElement(report.Progress, Protocol.Wire.ProtocolJsonContext.Default.ProgressInfo);
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

    private async Task<RunningTask?> AuthorizeNotificationAsync(string executorId, RefusalThrottle refusals, string method, string? token, string taskId)
    {
        var running = Coordinator.FindRunning(taskId);
        if (running is not null && running.Accepts(token, executorId, clock))
        {
            return running;
        }

        // Audited and logged once per burst: a flood after the task ended must not grow the audit table.
        if (refusals.ShouldLog("invalid_token", out var unlogged))
        {
            await AuditAsync(executorId, method, null, taskId, "invalid_token", unlogged > 0 ? $"notification dropped ({unlogged} more since the last entry)" : "notification dropped");
            TaskCoordinatorLog.Refused(logger, executorId, method, "invalid or expired session token");
        }

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

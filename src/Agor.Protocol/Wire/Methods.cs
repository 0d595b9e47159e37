using Agor.Protocol.JsonRpc;

namespace Agor.Protocol.Wire;

/// <summary>Every method of the daemon/executor contract, with its wire types.</summary>
public static class Methods
{
    private static ProtocolJsonContext Json => ProtocolJsonContext.Default;

    /// <summary>Daemon → executor: liveness and identity.</summary>
    public static readonly JsonRpcMethod<PingParams, PingResult> Ping = new("ping", Json.PingParams, Json.PingResult);

    /// <summary>Daemon → executor: finish or interrupt the task, answer, then exit.</summary>
    public static readonly JsonRpcMethod<ShutdownParams, ShutdownResult> Shutdown = new("shutdown", Json.ShutdownParams, Json.ShutdownResult);

    /// <summary>Daemon → executor: run a prompt; the outcome comes by <see cref="ReportCompletion"/>.</summary>
    public static readonly JsonRpcMethod<ExecutePromptParams, ExecutePromptResult> ExecutePrompt = new("execute_prompt", Json.ExecutePromptParams, Json.ExecutePromptResult);

    /// <summary>Daemon → executor: stop the running task.</summary>
    public static readonly JsonRpcMethod<StopTaskParams, StopTaskResult> StopTask = new("stop_task", Json.StopTaskParams, Json.StopTaskResult);

    /// <summary>Executor → daemon: what to run and how.</summary>
    public static readonly JsonRpcMethod<GetExecutionContextParams, TaskExecutionContext> GetExecutionContext = new("get_execution_context", Json.GetExecutionContextParams, Json.TaskExecutionContext);

    /// <summary>Executor → daemon: an API key, just in time.</summary>
    public static readonly JsonRpcMethod<GetApiKeyParams, ApiKeyResult> GetApiKey = new("get_api_key", Json.GetApiKeyParams, Json.ApiKeyResult);

    /// <summary>Executor → daemon: may the agent run this tool?</summary>
    public static readonly JsonRpcMethod<RequestPermissionParams, PermissionDecision> RequestPermission = new("request_permission", Json.RequestPermissionParams, Json.PermissionDecision);

    /// <summary>Executor → daemon: the task's outcome; revokes the token.</summary>
    public static readonly JsonRpcMethod<ReportCompletionParams, AcknowledgedResult> ReportCompletion = new("report_completion", Json.ReportCompletionParams, Json.AcknowledgedResult);

    /// <summary>Executor → daemon notification: one event of the agent.</summary>
    public static readonly JsonRpcNotification<ReportMessageParams> ReportMessage = new("report_message", Json.ReportMessageParams);

    /// <summary>Executor → daemon notification: progress.</summary>
    public static readonly JsonRpcNotification<ReportProgressParams> ReportProgress = new("report_progress", Json.ReportProgressParams);

    /// <summary>Executor → daemon notification: a non-fatal error.</summary>
    public static readonly JsonRpcNotification<ReportErrorParams> ReportError = new("report_error", Json.ReportErrorParams);
}

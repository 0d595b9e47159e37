using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Gateway;

/// <summary>The gateway's log lines. None carries a key or a placeholder.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Model gateway listening on {Address}, forwarding {Service} to {Upstream}")]
    public static partial void Listening(ILogger logger, string address, string service, string upstream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model gateway refused a request to {Path}: {Reason}")]
    public static partial void Refused(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: model request refused: {Reason}")]
    public static partial void BudgetRefused(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: the upstream could not be reached ({Error})")]
    public static partial void UpstreamFailed(ILogger logger, string taskId, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId}: {Method} {Path} -> {Status}; {Input} in, {Output} out, {Cost} USD")]
    public static partial void Forwarded(ILogger logger, string taskId, string method, string path, int status, long input, long output, double cost);
}

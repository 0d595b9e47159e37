using System.Globalization;
using Agor.Daemon.Domain;
using Agor.Daemon.Storage;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Gateway;

/// <summary>
/// Every model request a task makes, forwarded or refused, goes into the task's egress record beside
/// its proxy connections (kind <c>model</c>, the upstream's host and port, the bytes each way and, in
/// the reason, the service, the status and the usage the gateway measured). A failed write is logged, never fatal
/// to the request. Requests with an unknown placeholder belong to no task and are only logged.
/// </summary>
internal sealed partial class GatewayAudit(IEgressStore? store, TimeProvider clock, ILogger logger)
{
    public const string Kind = "model";

    public DateTimeOffset Now => clock.GetUtcNow();

    public Task ForwardedAsync(GatewayTask task, Uri upstream, string service, string method, string path, int status, ModelUsage usage, double cost, long bytesUp, long bytesDown, DateTimeOffset started) =>
        WriteAsync(task, upstream, true, string.Create(CultureInfo.InvariantCulture, $"model_request: {method} {path} -> {status}; {usage.InputTokens} in, {usage.OutputTokens} out tokens, {cost:0.######} USD ({service})"), bytesUp, bytesDown, started);

    public Task RefusedAsync(GatewayTask task, Uri? upstream, string reason, DateTimeOffset started) => WriteAsync(task, upstream, false, reason, 0, 0, started);

    private async Task WriteAsync(GatewayTask task, Uri? upstream, bool allowed, string reason, long bytesUp, long bytesDown, DateTimeOffset started)
    {
        if (store is null)
        {
            return;
        }

        try
        {
            await store.AppendAsync(new EgressConnection
            {
                TaskId = task.TaskId,
                Kind = Kind,
                Host = upstream?.Host ?? "gateway",
                Port = upstream?.Port ?? 0,
                Allowed = allowed,
                Reason = reason,
                BytesUp = bytesUp,
                BytesDown = bytesDown,
                StartedAt = started,
                EndedAt = clock.GetUtcNow(),
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.NotRecorded(logger, ex, task.TaskId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: a model request could not be recorded in the egress audit")]
        public static partial void NotRecorded(ILogger logger, Exception exception, string taskId);
    }
}

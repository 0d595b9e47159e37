using System.Text.Json;
using Agor.Executor.Agents;
using Agor.Executor.Logging;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Executor.Tasks;

/// <summary>The agent's line to the daemon for one task: events numbered 1, 2, 3..., errors, and permission questions.</summary>
internal sealed class DaemonTaskHost(JsonRpcPeer daemon, ExecutePromptParams task, Func<AgentOutcome, Task> outcomeKnown, ILogger logger) : IAgentHost
{
    private long _sequence;

    public long EventsReported => Volatile.Read(ref _sequence);

    public ValueTask ReportEventAsync(string eventType, JsonElement eventData)
    {
        // The runner reports from one loop, so the numbers are contiguous and in stdout order.
        var sequence = Interlocked.Increment(ref _sequence);
        return daemon.NotifyAsync(Methods.ReportMessage, new ReportMessageParams
        {
            SessionToken = task.SessionToken,
            TaskId = task.TaskId,
            Sequence = sequence,
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            EventType = eventType,
            EventData = eventData,
        });
    }

    public Task OutcomeKnownAsync(AgentOutcome outcome) => outcomeKnown(outcome);

    public ValueTask ReportErrorAsync(string code, string message) =>
        daemon.NotifyAsync(Methods.ReportError, new ReportErrorParams(task.SessionToken, task.TaskId, new ErrorInfo(code, message)));

    public async Task<PermissionAnswer> RequestPermissionAsync(string toolName, JsonElement toolInput, string? toolUseId, CancellationToken cancellationToken)
    {
        try
        {
            var decision = await daemon.InvokeAsync(
                Methods.RequestPermission,
                new RequestPermissionParams
                {
                    SessionToken = task.SessionToken,
                    TaskId = task.TaskId,
                    ToolName = toolName,
                    ToolInput = toolInput,
                    ToolUseId = toolUseId,
                },
                cancellationToken: cancellationToken);
            return new PermissionAnswer(decision.Approved, decision.Reason);
        }
        catch (Exception ex) when (ex is JsonRpcException or JsonRpcConnectionLostException or OperationCanceledException or TimeoutException)
        {
            ExecutorLog.PermissionRequestFailed(logger, task.TaskId, toolName, ex.Message);
            return new PermissionAnswer(false, $"Permission to use {toolName} could not be obtained: {ex.Message}");
        }
    }
}

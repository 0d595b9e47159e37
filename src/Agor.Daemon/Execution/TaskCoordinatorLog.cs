using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Execution;

internal static partial class TaskCoordinatorLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "task {TaskId} of session {SessionId}: {Status}{Detail}")]
    public static partial void TaskStatus(ILogger logger, string taskId, string sessionId, string status, string detail);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "task {TaskId}: message {Sequence} arrived where {Expected} was expected")]
    public static partial void SequenceGap(ILogger logger, string taskId, long sequence, long expected);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "executor {ExecutorId}: refused {Method}: {Outcome}")]
    public static partial void Refused(ILogger logger, string executorId, string method, string outcome);

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "executor {ExecutorId}, task {TaskId}: message dropped: {Reason} ({Unlogged} more dropped since the last such line)")]
    public static partial void MessageDropped(ILogger logger, string executorId, string taskId, string reason, long unlogged);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "task {TaskId}: executor {ExecutorId} {Problem}; killing it")]
    public static partial void ExecutorKilled(ILogger logger, string taskId, string executorId, string problem);

    [LoggerMessage(EventId = 705, Level = LogLevel.Error, Message = "task {TaskId} failed inside the daemon")]
    public static partial void TaskCrashed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(EventId = 706, Level = LogLevel.Warning, Message = "executor {ExecutorId}: {Code}: {Message}")]
    public static partial void ExecutorReportedError(ILogger logger, string executorId, string code, string message);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "task {TaskId}: stop_task to executor {ExecutorId} failed: {Reason}")]
    public static partial void StopRequestFailed(ILogger logger, string taskId, string executorId, string reason);
}

using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Hosting;

internal static partial class HostLog
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "agor daemon {Version} listening on {Address} (home {Home}, database {Database})")]
    public static partial void Listening(ILogger logger, string version, string address, string home, string database);

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "created {Path}")]
    public static partial void Created(ILogger logger, string path);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "shutting down: no new prompts, stopping running tasks")]
    public static partial void ShuttingDown(ILogger logger);

    [LoggerMessage(EventId = 803, Level = LogLevel.Information, Message = "stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 804, Level = LogLevel.Warning, Message = "restart: task {TaskId} was {Status} when the daemon stopped; marked failed")]
    public static partial void RecoveredTask(ILogger logger, string taskId, string status);

    [LoggerMessage(EventId = 805, Level = LogLevel.Warning, Message = "restart: permission request {Id} was pending when the daemon stopped; cancelled")]
    public static partial void RecoveredPermission(ILogger logger, string id);

    [LoggerMessage(EventId = 806, Level = LogLevel.Warning, Message = "restart: ended executor process {Pid} left behind by an earlier daemon")]
    public static partial void EndedLeftover(ILogger logger, int pid);

    [LoggerMessage(EventId = 807, Level = LogLevel.Warning, Message = "restart: could not end executor process {Pid} left behind by an earlier daemon (it runs as another user; it ends itself once it notices the daemon is gone)")]
    public static partial void LeftoverNotEnded(ILogger logger, int pid);

    [LoggerMessage(EventId = 808, Level = LogLevel.Warning, Message = "executor ledger: could not update {File}")]
    public static partial void LedgerFailed(ILogger logger, Exception exception, string file);

    [LoggerMessage(EventId = 809, Level = LogLevel.Warning, Message = "could not publish {EventType}")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string eventType);

    [LoggerMessage(EventId = 810, Level = LogLevel.Warning, Message = "shutting down: tasks still not stopped after {BoundMs} ms; the pool ends their executors now")]
    public static partial void TasksStopTimedOut(ILogger logger, double boundMs);
}

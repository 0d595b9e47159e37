using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Executors;

internal static partial class ExecutorPoolLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "executor {ExecutorId} ready as {UnixUser} (pid {Pid}) in {ElapsedMs:0.0} ms")]
    public static partial void Ready(ILogger logger, string executorId, string unixUser, int pid, double elapsedMs);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "executor {ExecutorId} crashed: {Detail}")]
    public static partial void Crashed(ILogger logger, string executorId, string detail);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "executor {ExecutorId} stopped ({Reason})")]
    public static partial void Stopped(ILogger logger, string executorId, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "executor {ExecutorId} did not stop in time; sending {Signal}")]
    public static partial void Escalating(ILogger logger, string executorId, string signal);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "executor {ExecutorId}: shutdown request failed: {Problem}")]
    public static partial void ShutdownRequestFailed(ILogger logger, string executorId, string problem);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "executor isolation: executors run as {UnixUser} through sudo")]
    public static partial void SudoMode(ILogger logger, string unixUser);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "executor isolation is off (execution.run_as_unix_user: false): executors run as the daemon's user")]
    public static partial void DisabledByConfig(ILogger logger);

    [LoggerMessage(EventId = 207, Level = LogLevel.Critical, Message = "!!! EXECUTOR ISOLATION UNAVAILABLE: execution.run_as_unix_user is true, but {Problem}. Executors will run as the daemon's own user, with access to its files. Run `sudo agor setup-executor-isolation` to fix this. !!!")]
    public static partial void SudoUnavailable(ILogger logger, string problem);

    [LoggerMessage(EventId = 208, Level = LogLevel.Error, Message = "could not start a warm executor")]
    public static partial void WarmSpawnFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 209, Level = LogLevel.Error, Message = "executor pool event handler failed")]
    public static partial void ObserverFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "executor {ExecutorId} refused: {Problem}")]
    public static partial void NotTheExecutor(ILogger logger, string executorId, string problem);
}

using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Executors;

internal static partial class ExecutorProcessLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "[executor {ExecutorId}] {Line}")]
    public static partial void Stderr(ILogger logger, string executorId, string line);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "[executor {ExecutorId}] stdout: {Line}")]
    public static partial void Stdout(ILogger logger, string executorId, string line);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "[executor {ExecutorId}] process {Pid} exited with code {ExitCode}")]
    public static partial void Exited(ILogger logger, string executorId, int pid, int exitCode);
}

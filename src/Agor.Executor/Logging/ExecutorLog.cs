using Microsoft.Extensions.Logging;

namespace Agor.Executor.Logging;

internal static partial class ExecutorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "listening on {SocketPath} for uid {DaemonUid} (pid {Pid}, uid {Uid})")]
    public static partial void Listening(ILogger logger, string socketPath, int daemonUid, int pid, int uid);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "refused a connection from pid {PeerPid} uid {PeerUid}: only uid {DaemonUid} and root may connect")]
    public static partial void RefusedPeer(ILogger logger, int peerPid, int peerUid, int daemonUid);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "daemon connected (pid {PeerPid}, uid {PeerUid}); socket file removed")]
    public static partial void DaemonConnected(ILogger logger, int peerPid, int peerUid);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "exiting: {Reason}")]
    public static partial void Exiting(ILogger logger, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "shutdown requested: {Reason}")]
    public static partial void ShutdownRequested(ILogger logger, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "cannot listen on {SocketPath}: {Problem}")]
    public static partial void CannotListen(ILogger logger, string socketPath, string problem);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "no daemon connected within {TimeoutMs} ms")]
    public static partial void AcceptTimedOut(ILogger logger, double timeoutMs);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "received {Signal}")]
    public static partial void Signal(ILogger logger, string signal);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "task {TaskId} accepted (session {SessionId}, mode {PermissionMode})")]
    public static partial void TaskAccepted(ILogger logger, string taskId, string sessionId, string permissionMode);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "agent started: pid {Pid} ({AgentPath})")]
    public static partial void AgentStarted(ILogger logger, int pid, string agentPath);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "task {TaskId} finished: {Status}{Detail}")]
    public static partial void TaskFinished(ILogger logger, string taskId, string status, string detail);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "task {TaskId}: stop requested ({Reason})")]
    public static partial void StopRequested(ILogger logger, string taskId, string reason);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "task {TaskId}: could not report completion: {Problem}")]
    public static partial void CompletionNotReported(ILogger logger, string taskId, string problem);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "task {TaskId}: permission request for {ToolName} failed, denying: {Problem}")]
    public static partial void PermissionRequestFailed(ILogger logger, string taskId, string toolName, string problem);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "sandbox: {Path} does not exist and was skipped")]
    public static partial void SandboxPathSkipped(ILogger logger, string path);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "task {TaskId}: the agent runs unconfined: {Reason}")]
    public static partial void SandboxUnconfined(ILogger logger, string taskId, string reason);
}

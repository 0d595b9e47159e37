using Microsoft.Extensions.Logging;

namespace Agor.Protocol.JsonRpc;

internal static partial class JsonRpcPeerLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "[{Name}] connection closed: {Reason}")]
    public static partial void Closed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "[{Name}] closing the connection: {Reason}")]
    public static partial void ClosingOnProtocolViolation(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "[{Name}] rejected a message: {Problem} (violation {Count} of this connection; logged at 1, 2, 4, 8...)")]
    public static partial void RejectedMessage(ILogger logger, string name, string problem, long count);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "[{Name}] no handler for notification '{Method}'")]
    public static partial void UnknownNotification(ILogger logger, string name, string method);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "[{Name}] handler of '{Method}' failed (failure {Count} of this connection; logged at 1, 2, 4, 8...)")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string name, string method, long count);

    [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "[{Name}] response to unknown request id {Id} ignored")]
    public static partial void UnknownResponse(ILogger logger, string name, string id);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "[{Name}] the peer closed the connection in the middle of a line ({Bytes} bytes discarded)")]
    public static partial void ClosedMidLine(ILogger logger, string name, long bytes);
}

using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Events;

internal static partial class EventHubLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "event stream client {Client} fell behind by more than {Events} events or {Bytes} bytes and was dropped; it can reconnect with Last-Event-ID")]
    public static partial void SlowClientDropped(ILogger logger, string client, int events, long bytes);
}

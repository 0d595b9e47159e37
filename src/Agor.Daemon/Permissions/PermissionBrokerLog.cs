using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Permissions;

internal static partial class PermissionBrokerLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "permission request {Id} for {ToolName} denied: {Status}")]
    public static partial void Unanswered(ILogger logger, string id, string toolName, string status);
}

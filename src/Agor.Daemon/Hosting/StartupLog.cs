using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Hosting;

internal static partial class StartupLog
{
    [LoggerMessage(EventId = 850, Level = LogLevel.Warning, Message = "{Problem}; fix: {Fix}")]
    public static partial void Missing(ILogger logger, string problem, string fix);

    [LoggerMessage(EventId = 851, Level = LogLevel.Information, Message = "checks: {Summary} (details: `agor doctor`)")]
    public static partial void Summary(ILogger logger, string summary);
}

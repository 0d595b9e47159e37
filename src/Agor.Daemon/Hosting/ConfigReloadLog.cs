using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Hosting;

internal static partial class ConfigReloadLog
{
    [LoggerMessage(EventId = 830, Level = LogLevel.Information, Message = "SIGHUP: re-read {File}; applied {Keys}")]
    public static partial void Applied(ILogger logger, string file, string keys);

    [LoggerMessage(EventId = 831, Level = LogLevel.Information, Message = "SIGHUP: re-read {File}; nothing changed")]
    public static partial void Unchanged(ILogger logger, string file);

    [LoggerMessage(EventId = 832, Level = LogLevel.Warning, Message = "SIGHUP: {Keys} changed in {File} but take effect only after a restart (`agor daemon stop` and start, or `systemctl restart agor`); running with the values the daemon started with")]
    public static partial void NeedsRestart(ILogger logger, string keys, string file);

    [LoggerMessage(EventId = 833, Level = LogLevel.Error, Message = "SIGHUP: {File} is not valid, keeping the configuration in use: {Problem}")]
    public static partial void Invalid(ILogger logger, string file, string problem);
}

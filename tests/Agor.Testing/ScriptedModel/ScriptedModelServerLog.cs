using Microsoft.Extensions.Logging;

namespace Agor.Testing.ScriptedModel;

internal static partial class ScriptedModelServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "scripted model listening on {BaseUrl}")]
    public static partial void Listening(ILogger logger, string baseUrl);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "request {Request}")]
    public static partial void Received(ILogger logger, RecordedRequest request);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "request #{Sequence} answered with {Answer}")]
    public static partial void Answered(ILogger logger, int sequence, string answer);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "request #{Sequence}: the answer was cut off ({Reason})")]
    public static partial void Aborted(ILogger logger, int sequence, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "request #{Sequence} failed")]
    public static partial void Failed(ILogger logger, Exception exception, int sequence);
}

using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox;

internal static partial class SandboxLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "sandbox:\n  mode        {Mode}\n  bwrap       {Bwrap}\n  namespaces  {Namespaces}\n  seccomp     {Seccomp}\n  limits      {Limits} (controllers: {Controllers}){LimitProblem}\n  probed as   {ProbedAs}\n  status      {State}")]
    public static partial void Summary(ILogger logger, string mode, string bwrap, string namespaces, string seccomp, string limits, string controllers, string limitProblem, string probedAs, string state);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "!!! SANDBOX UNAVAILABLE: {Warning}")]
    public static partial void Unconfined(ILogger logger, string warning);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "SANDBOX REQUIRED BUT UNAVAILABLE: {Warning}")]
    public static partial void RequiredUnavailable(ILogger logger, string warning);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "task {TaskId}: the kernel enforced {Limit} ({Max}): {Message}")]
    public static partial void LimitHit(ILogger logger, string taskId, string limit, string max, string message);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "task {TaskId}: could not set up its resource limits; it runs without them")]
    public static partial void LimitsFailed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "session {SessionId}: could not remove its agent home {Path}")]
    public static partial void HomeNotRemoved(ILogger logger, Exception exception, string sessionId, string path);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "task {TaskId}: could not remove its resource limits")]
    public static partial void LimitsNotRemoved(ILogger logger, Exception exception, string taskId);

    public static void Report(ILogger logger, SandboxStatus status)
    {
        var probe = status.Probe;
        Summary(
            logger,
            status.Mode,
            probe.Bwrap is { } bwrap ? $"{bwrap} {probe.BwrapVersion}".TrimEnd() : $"not found ({status.BwrapPath})",
            probe.Namespaces.Count > 0 ? string.Join(", ", probe.Namespaces) : "none",
            probe.Seccomp ? "yes" : "no",
            status.LimitsText,
            status.Limits.Controllers.Count > 0 ? string.Join(", ", status.Limits.Controllers) : "none",
            status.Limits.Problem is { } problem ? $"; {problem}" : string.Empty,
            status.ProbedAs,
            status.Available ? "agents run confined" : status.Mode == Protocol.Wire.SandboxModes.Off ? "off: agents run unconfined by configuration" : $"unavailable: {status.Unavailable}");
        if (status.Warning is { } warning)
        {
            if (status.Mode == Protocol.Wire.SandboxModes.Required)
            {
                RequiredUnavailable(logger, warning);
            }
            else
            {
                Unconfined(logger, warning);
            }
        }
    }
}

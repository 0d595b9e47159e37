using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox.Cgroups;

internal static partial class CgroupLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "resource limits: cgroup {Version} ({Controllers}) under {Root}")]
    public static partial void Detected(ILogger logger, string version, string controllers, string root);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "resource limits: no cgroup this daemon can use: {Problem}")]
    public static partial void NotAvailable(ILogger logger, string problem);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "cgroup {Path}: processes {Pids} still inside after {BoundMs} ms of SIGKILL; left in place")]
    public static partial void NotEmptied(ILogger logger, string path, string pids, double boundMs);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "cgroup {Path}: could not remove it (errno {Errno})")]
    public static partial void NotRemoved(ILogger logger, string path, int errno);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "cgroup {Path}: could not read or write it")]
    public static partial void AccessFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "resource limits: removed task cgroup {Path} left by an earlier run")]
    public static partial void RemovedStale(ILogger logger, string path);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "resource limits: task cgroup {Path} left by an earlier run still holds processes; left in place")]
    public static partial void StaleInUse(ILogger logger, string path);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "resource limits: sandbox.cpu_max is set but this machine's cgroup has no cpu controller; CPU is not limited")]
    public static partial void NoCpuController(ILogger logger);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Information, Message = "resource limits: moved {Count} daemon process(es) into {Leaf} so the delegated cgroup can hand controllers down")]
    public static partial void MovedIntoLeaf(ILogger logger, int count, string leaf);
}

using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>Picks the resource limiter this machine supports, and says what it found in the log.</summary>
internal static class ResourceLimiters
{
    /// <summary>
    /// A <see cref="CgroupV2Limiter"/> for a delegated v2 subtree, else a <see cref="CgroupV1Limiter"/>
    /// under <c>agor/&lt;instance&gt;</c> of each v1 hierarchy, else a <see cref="NoResourceLimiter"/>
    /// whose <see cref="ITaskResourceLimiter.Support"/> says why.
    /// </summary>
    /// <param name="instance">Names this daemon's v1 cgroups apart from another daemon's (a short hash of its AGOR_HOME).</param>
    /// <param name="logger">Where the choice, and later what a limiter could not do, is logged.</param>
    public static ITaskResourceLimiter Detect(string instance, ILogger logger)
    {
        string mounts;
        string self;
        try
        {
            mounts = File.ReadAllText("/proc/self/mounts");
            self = File.ReadAllText("/proc/self/cgroup");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Report(new NoResourceLimiter($"cannot read /proc/self/mounts or /proc/self/cgroup: {ex.Message}"), logger);
        }

        return Report(From(CgroupDetector.Detect(mounts, self), instance, logger), logger);
    }

    /// <summary>The limiter for facilities already detected.</summary>
    public static ITaskResourceLimiter From(CgroupFacilities found, string instance, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(found);
        return found.Version switch
        {
            "v2" => new CgroupV2Limiter(found.Own!, found.Controllers, logger),
            "v1" => new CgroupV1Limiter(found.MemoryMount!, found.PidsMount!, found.CpuMount, instance, logger),
            _ => new NoResourceLimiter(found.Problem ?? "no cgroup found"),
        };
    }

    private static ITaskResourceLimiter Report(ITaskResourceLimiter limiter, ILogger logger)
    {
        var support = limiter.Support;
        if (support.Version == "none")
        {
            CgroupLog.NotAvailable(logger, support.Problem ?? "unknown");
        }
        else
        {
            CgroupLog.Detected(logger, support.Version, string.Join(", ", support.Controllers), support.Root ?? "?");
        }

        return limiter;
    }
}

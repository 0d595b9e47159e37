using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;
using Agor.Daemon.Sandbox.Cgroups;
using Agor.Protocol.Wire;

namespace Agor.Cli.Doctor;

/// <summary>
/// The cgroup controllers for the per-task limits: what the running daemon uses when there is one,
/// else what a daemon started from here would find. Needed when a memory or CPU limit is configured.
/// </summary>
internal static class CgroupCheck
{
    private const string Fix = "run the daemon as a systemd service with Delegate=yes, or mount cgroup v1 memory and pids writable; or set sandbox.memory_max and sandbox.cpu_max to \"\"";

    /// <param name="sandbox">The configured limits.</param>
    /// <param name="daemonLimits">The running daemon's <c>sandbox.limits</c> from <c>/health</c>, or null.</param>
    public static ReadinessCheck Run(SandboxSettings sandbox, string? daemonLimits)
    {
        var needed = sandbox.Mode != SandboxModes.Off && (sandbox.MemoryMax.Length > 0 || sandbox.CpuMax.Length > 0);
        if (daemonLimits is not null)
        {
            return daemonLimits.StartsWith("cgroup", StringComparison.Ordinal) || !needed
                ? ReadinessCheck.Pass("cgroups", $"the running daemon limits tasks with {daemonLimits}")
                : ReadinessCheck.Fail("cgroups", $"the running daemon has no cgroup to limit tasks with ({daemonLimits}), so sandbox.memory_max and cpu_max are not enforced", Fix);
        }

        CgroupFacilities found;
        try
        {
            found = CgroupDetector.Detect(File.ReadAllText("/proc/self/mounts"), File.ReadAllText("/proc/self/cgroup"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            found = new CgroupFacilities("none", null, null, null, null, [], ex.Message);
        }

        return found.Version != "none"
            ? ReadinessCheck.Pass("cgroups", $"cgroup {found.Version} ({string.Join(", ", found.Controllers)}) for a daemon started from here")
            : needed
                ? ReadinessCheck.Fail("cgroups", $"no cgroup a daemon started from here could use: {found.Problem}", Fix)
                : ReadinessCheck.Pass("cgroups", "none usable, and no memory or CPU limit is configured");
    }
}

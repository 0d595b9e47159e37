using System.Globalization;
using System.Runtime.InteropServices;
using Agor.Executor.Interop;
using Agor.Executor.Sandbox;

namespace Agor.Executor.Guard;

/// <summary>What the guard does to itself before it starts the agent: join the task's cgroups, set RLIMIT_NPROC, prepare the seccomp fd.</summary>
internal static class GuardSetup
{
    /// <summary>Joins every cgroup and sets the process limit; returns the first problem, or null.</summary>
    public static string? JoinLimits(AgentGuardOptions options)
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var path in options.CgroupPaths)
        {
            try
            {
                File.WriteAllText(Path.Combine(path, "cgroup.procs"), self);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"cannot join the cgroup {path} (writing {Path.Combine(path, "cgroup.procs")}): {ex.Message}";
            }
        }

        if (options.RlimitNproc > 0 && !Libc.SetProcessLimit((ulong)options.RlimitNproc))
        {
            return $"setrlimit(RLIMIT_NPROC, {options.RlimitNproc}) failed (errno {Marshal.GetLastPInvokeError()})";
        }

        return null;
    }

    /// <summary>An inheritable fd holding the seccomp filter, or null.</summary>
    public static int? SeccompFd()
    {
        if (!SeccompFilter.Supported)
        {
            return null;
        }

        var fd = Libc.InheritableMemfd("agor-seccomp", SeccompFilter.Build(RuntimeInformation.ProcessArchitecture));
        return fd < 0 ? null : fd;
    }
}

namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>What the machine offers, decided from <c>/proc/self/mounts</c> and <c>/proc/self/cgroup</c>.</summary>
internal sealed record CgroupFacilities(string Version, string? Own, string? MemoryMount, string? PidsMount, string? CpuMount, IReadOnlyList<string> Controllers, string? Problem);

/// <summary>
/// Finds the cgroups this daemon can use: v2 when <c>/sys/fs/cgroup</c> is cgroup2 and the daemon's
/// own cgroup is writable with memory and pids in its <c>cgroup.controllers</c> (a delegated
/// subtree), else v1 when the memory and pids hierarchies are mounted and writable, else none and why.
/// </summary>
internal static class CgroupDetector
{
    private static readonly string[] Wanted = ["memory", "pids", "cpu"];
    private static readonly string[] Needed = ["memory", "pids"];

    public static CgroupFacilities Detect(string mountsText, string selfCgroupText)
    {
        var mounts = CgroupMount.Parse(mountsText);
        var v2Problem = V2(mounts, selfCgroupText, out var own, out var v2Controllers);
        if (v2Problem is null)
        {
            return new CgroupFacilities("v2", own, null, null, null, v2Controllers, null);
        }

        var v1Problem = V1(mounts, out var memory, out var pids, out var cpu);
        if (v1Problem is null)
        {
            return new CgroupFacilities("v1", null, memory, pids, cpu, cpu is null ? ["memory", "pids"] : ["memory", "pids", "cpu"], null);
        }

        return new CgroupFacilities("none", null, null, null, null, [], $"cgroup v2: {v2Problem}; cgroup v1: {v1Problem}");
    }

    private static string? V2(IReadOnlyList<CgroupMount> mounts, string selfCgroupText, out string? own, out IReadOnlyList<string> controllers)
    {
        own = null;
        controllers = [];
        if (mounts.FirstOrDefault(m => m.Path == "/sys/fs/cgroup") is not { IsVersion2: true } mount)
        {
            return "/sys/fs/cgroup is not a cgroup2 mount";
        }

        var path = selfCgroupText.Split('\n').FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..].Trim();
        if (string.IsNullOrEmpty(path))
        {
            return "/proc/self/cgroup names no cgroup2 path";
        }

        if (path == "/")
        {
            return "the daemon runs in the root cgroup, not a delegated one (run it as a systemd service with Delegate=yes)";
        }

        var directory = mount.Path + path;
        if (!CgroupNative.CanWrite(directory) || !CgroupNative.CanWrite(Path.Combine(directory, "cgroup.procs"))
            || !CgroupNative.CanWrite(Path.Combine(directory, "cgroup.subtree_control")))
        {
            return $"the daemon's cgroup {directory} is not writable by it (run it as a systemd service with Delegate=yes)";
        }

        string available;
        try
        {
            available = File.ReadAllText(Path.Combine(directory, "cgroup.controllers"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot read {directory}/cgroup.controllers: {ex.Message}";
        }

        var offered = available.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        controllers = [.. Wanted.Where(offered.Contains)];
        var missing = Needed.Where(c => !offered.Contains(c)).ToList();
        own = directory;
        return missing.Count == 0 ? null : $"the daemon's cgroup {directory} was not given the {string.Join(" and ", missing)} controller (Delegate=yes, or Delegate=memory pids cpu)";
    }

    private static string? V1(IReadOnlyList<CgroupMount> mounts, out string? memory, out string? pids, out string? cpu)
    {
        memory = CgroupMount.V1For(mounts, "memory")?.Path;
        pids = CgroupMount.V1For(mounts, "pids")?.Path;
        cpu = CgroupMount.V1For(mounts, "cpu")?.Path;
        if (cpu is not null && !CgroupNative.CanWrite(cpu))
        {
            cpu = null;
        }

        foreach (var (controller, mount) in new[] { ("memory", memory), ("pids", pids) })
        {
            if (mount is null)
            {
                return $"no {controller} hierarchy is mounted";
            }

            if (!CgroupNative.CanWrite(mount))
            {
                return $"{mount} is not writable by the daemon (v1 task cgroups need a root daemon)";
            }
        }

        return null;
    }
}

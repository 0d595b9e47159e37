namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>One line of <c>/proc/self/mounts</c> of type cgroup or cgroup2: where it is and which controllers it carries (v1).</summary>
internal sealed record CgroupMount(string Path, bool IsVersion2, IReadOnlyList<string> Options)
{
    /// <summary>The cgroup mounts in the text of <c>/proc/self/mounts</c>.</summary>
    public static IReadOnlyList<CgroupMount> Parse(string mounts)
    {
        var found = new List<CgroupMount>();
        foreach (var line in mounts.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (fields.Length < 4 || fields[2] is not ("cgroup" or "cgroup2"))
            {
                continue;
            }

            found.Add(new CgroupMount(Unescape(fields[1]), fields[2] == "cgroup2", fields[3].Split(',')));
        }

        return found;
    }

    /// <summary>The v1 mount carrying <paramref name="controller"/> (e.g. <c>cpu</c> in <c>cpu,cpuacct</c>); the first when several.</summary>
    public static CgroupMount? V1For(IEnumerable<CgroupMount> mounts, string controller) =>
        mounts.FirstOrDefault(m => !m.IsVersion2 && m.Options.Contains(controller, StringComparer.Ordinal));

    // The kernel writes space, tab, newline and backslash in mount paths as octal escapes.
    private static string Unescape(string path) => path
        .Replace("\\040", " ", StringComparison.Ordinal)
        .Replace("\\011", "\t", StringComparison.Ordinal)
        .Replace("\\012", "\n", StringComparison.Ordinal)
        .Replace("\\134", "\\", StringComparison.Ordinal);
}

using System.Globalization;

namespace Agor.Testing.Support;

/// <summary>A process's descendants at one moment, each with its start time so that a recycled pid is not mistaken for it.</summary>
public sealed record ProcessTreeSnapshot(IReadOnlyList<(int Pid, long StartTime, string CommandLine)> Processes)
{
    public static ProcessTreeSnapshot Of(int root)
    {
        var stats = new Dictionary<int, (int Parent, long Start)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Stat(pid) is { } stat)
            {
                stats[pid] = stat;
            }
        }

        var found = new List<(int, long, string)>();
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var parent))
        {
            foreach (var (pid, stat) in stats.Where(s => s.Value.Parent == parent))
            {
                found.Add((pid, stat.Start, CommandLine(pid)));
                pending.Push(pid);
            }
        }

        return new ProcessTreeSnapshot(found);
    }

    /// <summary>
    /// Waits, within <paramref name="timeout"/>, until <paramref name="root"/> has at least
    /// <paramref name="count"/> descendants whose command line starts with <paramref name="fragment"/>.
    /// </summary>
    public static async Task<ProcessTreeSnapshot> WaitForAsync(int root, string fragment, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (true)
        {
            var tree = Of(root);
            if (tree.Processes.Count(p => p.CommandLine.StartsWith(fragment, StringComparison.Ordinal)) >= count)
            {
                return tree;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no {count} '{fragment}' under {root} within {timeout}: {string.Join("; ", tree.Processes.Select(p => p.CommandLine))}");
            }

            await timer.WaitForNextTickAsync();
        }
    }

    /// <summary>The processes of this snapshot that still run (not zombies, same start time).</summary>
    public IReadOnlyList<string> StillRunning() =>
        [.. Processes.Where(p => Stat(p.Pid) is { } now && now.Start == p.StartTime && !IsZombie(p.Pid)).Select(p => $"{p.Pid} {p.CommandLine}")];

    /// <summary>Waits, within <paramref name="timeout"/>, until none of the processes runs; returns those that still do.</summary>
    public async Task<IReadOnlyList<string>> WaitUntilAllGoneAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (StillRunning() is { Count: > 0 } running)
        {
            if (DateTime.UtcNow > deadline)
            {
                return running;
            }

            await timer.WaitForNextTickAsync();
        }

        return [];
    }

    private static (int Parent, long Start)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[19], CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..][0] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}

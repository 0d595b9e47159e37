using System.Globalization;

namespace Agor.Executor.Guard;

/// <summary>The descendants of a process, from the ppid fields of /proc/PID/stat.</summary>
internal static class ProcessTree
{
    /// <summary>Pids of the descendants of <paramref name="root"/> that are not zombies.</summary>
    public static IReadOnlyList<int> LivingDescendantsOf(int root)
    {
        var children = new Dictionary<int, List<int>>();
        var zombies = new HashSet<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || Read(pid) is not { } stat)
            {
                continue;
            }

            if (!children.TryGetValue(stat.ParentPid, out var list))
            {
                children[stat.ParentPid] = list = [];
            }

            list.Add(pid);
            if (stat.State is 'Z' or 'X')
            {
                zombies.Add(pid);
            }
        }

        var found = new List<int>();
        var pending = new Stack<int>();
        pending.Push(root);
        while (pending.TryPop(out var parent))
        {
            foreach (var child in children.GetValueOrDefault(parent) ?? [])
            {
                if (!zombies.Contains(child))
                {
                    found.Add(child);
                }

                pending.Push(child);
            }
        }

        return found;
    }

    private static (char State, int ParentPid)? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name may hold spaces and parentheses: the fields after it start past the last ')'.
        var afterName = text.LastIndexOf(')');
        if (afterName < 0 || afterName + 2 >= text.Length)
        {
            return null;
        }

        var fields = text[(afterName + 2)..].Split(' ', 3);
        return fields.Length >= 2 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            ? (fields[0][0], parent)
            : null;
    }
}

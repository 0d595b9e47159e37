namespace Agor.Testing.Support;

/// <summary>Looks at /proc: is a process alive, a zombie, who owns it, what is its environment.</summary>
public static class ProcessTable
{
    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && state != 'X';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>True when the process exists as a zombie (exited, never reaped).</summary>
    public static bool IsZombie(int pid) => State(pid) == 'Z';

    /// <summary>
    /// Waits until every thread of the process is stopped (SIGSTOP is delivered asynchronously: a
    /// thread running on another CPU may still act for a moment after kill() returns).
    /// </summary>
    public static async Task<bool> WaitUntilStoppedAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        while (!AllThreadsStopped(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await timer.WaitForNextTickAsync();
        }

        return true;
    }

    private static bool AllThreadsStopped(int pid)
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{pid}/task")
                .All(thread => StateOf(File.ReadAllText(Path.Combine(thread, "stat"))) is 'T' or 't');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The one-letter state of a process (R, S, D, T, Z...), or null when there is none.</summary>
    private static char? State(int pid)
    {
        try
        {
            return StateOf(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    // The command name (field 2) may hold spaces and parentheses; the state follows the last ')'.
    private static char StateOf(string stat) => stat[(stat.LastIndexOf(')') + 2)..][0];

    /// <summary>Pids of the live processes whose command line contains <paramref name="fragment"/>.</summary>
    public static IReadOnlyList<int> FindByCommandLine(string fragment)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(fragment, StringComparison.Ordinal) && IsRunning(pid))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>The environment of a process, as the kernel holds it.</summary>
    public static IReadOnlyDictionary<string, string> Environment(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/environ");
        return text.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0])
            .ToDictionary(group => group.Key, group => group.First()[1]);
    }

    /// <summary>The real uid of a process.</summary>
    public static int Uid(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until the process is gone, without polling delays longer than a millisecond-scale yield.</summary>
    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (IsRunning(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await timer.WaitForNextTickAsync();
        }

        return true;
    }
}

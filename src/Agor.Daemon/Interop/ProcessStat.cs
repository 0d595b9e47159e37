using System.Globalization;

namespace Agor.Daemon.Interop;

/// <summary>What <c>/proc/PID/stat</c> says of a process: its state letter and when it started (clock ticks since boot).</summary>
internal readonly record struct ProcessStat(char State, long StartTime)
{
    /// <summary>The parent's pid (field 4).</summary>
    public int ParentPid { get; init; }

    /// <summary>The process's stat, or null when there is no such process (or no /proc).</summary>
    public static ProcessStat? Read(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses a stat line; null when it is not one.</summary>
    public static ProcessStat? Parse(string stat)
    {
        // The command name (field 2) may hold spaces and parentheses; the fields after it start past the last ')'.
        var afterName = stat.LastIndexOf(')');
        if (afterName < 0 || afterName + 2 >= stat.Length)
        {
            return null;
        }

        // From field 3 (the state) on; the start time is field 22.
        var fields = stat[(afterName + 2)..].Split(' ');
        return fields.Length > 19
            && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime)
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parentPid)
            ? new ProcessStat(fields[0][0], startTime) { ParentPid = parentPid }
            : null;
    }
}

using System.Globalization;

namespace Agor.Bench.Native;

/// <summary>Fields of /proc/PID/status.</summary>
internal static class ProcStatus
{
    /// <summary>Resident memory in kB (VmRSS), or null when the process is gone.</summary>
    public static long? ResidentKilobytes(int pid) =>
        Read(pid, "VmRSS") is { } value && long.TryParse(value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb)
            ? kb
            : null;

    /// <summary>Context switches, voluntary and not, summed over every thread of <paramref name="pid"/> alive now.</summary>
    public static long ContextSwitches(int pid)
    {
        long total = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                var status = Path.Combine(task, "status");
                total += ParseLong(ReadFile(status, "voluntary_ctxt_switches")) + ParseLong(ReadFile(status, "nonvoluntary_ctxt_switches"));
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The process is gone.
        }

        return total;
    }

    public static string? Read(int pid, string field) => ReadFile($"/proc/{pid}/status", field);

    public static string? ReadFile(string statusFile, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(statusFile))
            {
                if (line.Length > field.Length && line.StartsWith(field, StringComparison.Ordinal) && line[field.Length] == ':')
                {
                    return line[(field.Length + 1)..].Trim();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process or thread ended while we looked.
        }

        return null;
    }

    private static long ParseLong(string? value) => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : 0;
}

namespace Agor.Bench.Processes;

/// <summary>Unique socket paths in /tmp, where the executor user of a sudo run can create them too.</summary>
internal static class SocketPaths
{
    public static string Next(string purpose) => $"/tmp/agor-bench-{purpose}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}.sock";
}

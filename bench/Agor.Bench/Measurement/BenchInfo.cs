namespace Agor.Bench.Measurement;

/// <summary>What the header line of a suite says about the run: the build, and the load on the machine.</summary>
internal static class BenchInfo
{
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static string BuildConfiguration() =>
        typeof(BenchInfo).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false) is [System.Reflection.AssemblyConfigurationAttribute { Configuration: var configuration }]
            ? configuration
            : "unknown";
}

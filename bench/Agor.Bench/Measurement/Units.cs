using System.Globalization;

namespace Agor.Bench.Measurement;

/// <summary>How figures are written in the table.</summary>
internal static class Units
{
    public static string Milliseconds(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:0.0} ms");

    /// <summary>Milliseconds to the microsecond, for latencies well under a millisecond.</summary>
    public static string MillisecondsFine(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:0.000} ms");

    public static string Microseconds(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:0.0} µs");

    public static string PerSecond(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:#,0}/s");

    public static string Megabytes(long kilobytes) => string.Create(CultureInfo.InvariantCulture, $"{kilobytes / 1024.0:0.0} MB");

    public static string Ratio(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:0.00}×");

    /// <summary>A difference to the microsecond with its sign, e.g. <c>+0.123 ms</c>.</summary>
    public static string SignedMillisecondsFine(double value) => (value >= 0 ? "+" : string.Empty) + MillisecondsFine(value);

    /// <summary>Throughput in MB/s (10^6 bytes), from bytes per second.</summary>
    public static string MegabytesPerSecond(double bytesPerSecond) => string.Create(CultureInfo.InvariantCulture, $"{bytesPerSecond / 1e6:#,0} MB/s");

    public static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0} %");
}

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
}

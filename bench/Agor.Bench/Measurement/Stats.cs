using System.Diagnostics;

namespace Agor.Bench.Measurement;

/// <summary>Percentiles of a set of samples, by nearest rank (the C baselines use the same rule).</summary>
internal sealed class Stats
{
    private readonly double[] _sorted;

    public Stats(IEnumerable<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _sorted = [.. samples];
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("No samples.", nameof(samples));
        }

        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double P50 => Percentile(50);

    public double P95 => Percentile(95);

    public double P99 => Percentile(99);

    public double Max => _sorted[^1];

    /// <summary>The smallest sample that at least <paramref name="percent"/>% of the samples do not exceed.</summary>
    public double Percentile(double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }

    /// <summary>Milliseconds elapsed since a <see cref="Stopwatch.GetTimestamp"/> reading.</summary>
    public static double MillisecondsSince(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;

    /// <summary>Microseconds elapsed since a <see cref="Stopwatch.GetTimestamp"/> reading.</summary>
    public static double MicrosecondsSince(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;
}

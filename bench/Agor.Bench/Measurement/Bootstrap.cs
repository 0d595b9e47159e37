namespace Agor.Bench.Measurement;

/// <summary>
/// How far a difference of two percentiles could move by chance: a percentile bootstrap, each
/// side resampled with replacement, with a fixed seed so that a run prints the same interval for the
/// same samples. Used where the samples spread widely (a CLI's start-up) and the difference is small.
/// </summary>
internal static class Bootstrap
{
    private const int Resamples = 5_000;

    /// <summary>The central 95% interval of p50(<paramref name="a"/>) − p50(<paramref name="b"/>).</summary>
    public static (double Low, double High) MedianDifference95(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var random = new Random(20_240_601);
        var differences = new double[Resamples];
        var sampleA = new double[a.Count];
        var sampleB = new double[b.Count];
        for (var r = 0; r < Resamples; r++)
        {
            differences[r] = Median(Resample(a, sampleA, random)) - Median(Resample(b, sampleB, random));
        }

        var stats = new Stats(differences);
        return (stats.Percentile(2.5), stats.Percentile(97.5));
    }

    private static double[] Resample(IReadOnlyList<double> samples, double[] into, Random random)
    {
        for (var i = 0; i < into.Length; i++)
        {
            into[i] = samples[random.Next(samples.Count)];
        }

        return into;
    }

    private static double Median(double[] samples) => new Stats(samples).P50;
}

using Agor.Fuzz;

namespace Agor.Fuzz.Tests;

/// <summary>
/// The short fuzz run in CI (issue 9: at least 20,000 mutated lines per target): no crash, no
/// hang, RSS within a stated bound. The long run (1,000,000 lines each) is a command, see
/// tests/Agor.Fuzz/README.md.
/// </summary>
public sealed class FuzzRunTests
{
    private const long Lines = 20_000;

    // Stated bounds for the peak RSS during the run: the JIT-built executor idles near 40 MiB and
    // the daemon near 70 MiB; each may hold a few 8 MiB lines and its bounded queues on top.
    private const long ExecutorPeakBound = 192L * 1024 * 1024;
    private const long DaemonPeakBound = 384L * 1024 * 1024;

    [Fact(Timeout = 120_000)]
    public async Task TheExecutorSocket_SurvivesTwentyThousandMutatedLines()
    {
        var report = await ExecutorTarget.RunAsync(new FuzzSettings(Lines, Seed: 9), TextWriter.Null, CancellationToken.None);

        Assert.True(report.Passed, report.ToString());
        Assert.Equal(Lines, report.Lines);
        Assert.True(report.PeakRssBytes < ExecutorPeakBound, report.ToString());
    }

    [Fact(Timeout = 180_000)]
    public async Task TheDaemonsExecutorEndpoint_SurvivesTwentyThousandMutatedLines()
    {
        var report = await DaemonTarget.RunAsync(new FuzzSettings(Lines, Seed: 9), TextWriter.Null, CancellationToken.None);

        Assert.True(report.Passed, report.ToString());
        Assert.Equal(Lines, report.Lines);
        Assert.Equal(0, report.Closes);
        Assert.True(report.PeakRssBytes < DaemonPeakBound, report.ToString());
    }
}

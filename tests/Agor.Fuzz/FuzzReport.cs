using System.Globalization;

namespace Agor.Fuzz;

/// <summary>The figures of one fuzz run.</summary>
/// <param name="Target">executor or daemon.</param>
/// <param name="Lines">Mutated lines sent.</param>
/// <param name="Probes">Valid requests sent between them, each of which had to be answered.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="StartRssBytes">The target's VmRSS before the first mutated line.</param>
/// <param name="PeakRssBytes">The target's highest VmRSS seen (its VmHWM at the end).</param>
/// <param name="Crashes">Times the target died or dropped the connection without a logged reason.</param>
/// <param name="Hangs">Probes not answered within the bound.</param>
/// <param name="Closes">Connections the target closed with a logged reason (allowed by the rules; the run reconnects).</param>
/// <param name="Note">What went wrong, when something did.</param>
internal sealed record FuzzReport(string Target, long Lines, long Probes, double Seconds, long StartRssBytes, long PeakRssBytes, int Crashes, int Hangs, int Closes, string? Note = null)
{
    public bool Passed => Crashes == 0 && Hangs == 0;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Target}: {Lines:N0} lines + {Probes:N0} probes in {Seconds:F1} s ({Lines / Math.Max(Seconds, 0.001):N0} lines/s); RSS {StartRssBytes / 1048576.0:F1} MiB at start, peak {PeakRssBytes / 1048576.0:F1} MiB; crashes {Crashes}, hangs {Hangs}, closes {Closes}{(Note is null ? string.Empty : "; " + Note)}");
}

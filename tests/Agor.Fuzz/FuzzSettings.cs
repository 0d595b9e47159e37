namespace Agor.Fuzz;

/// <summary>How long and how hard one run fuzzes.</summary>
/// <param name="Lines">Mutated lines to send.</param>
/// <param name="Seed">The mutator's seed: the same seed sends the same lines.</param>
/// <param name="ProbeEvery">A probe (a valid request that must be answered) after this many mutated lines.</param>
/// <param name="ProbeTimeout">How long a probe may wait for its answer before it counts as a hang.</param>
internal sealed record FuzzSettings(long Lines, int Seed, int ProbeEvery = 64, TimeSpan? ProbeTimeout = null)
{
    public TimeSpan ProbeBound => ProbeTimeout ?? TimeSpan.FromSeconds(15);
}

namespace Agor.Daemon.Execution;

/// <summary>
/// Keeps refusals of one executor connection from flooding the log and the audit: the first
/// refusal of a kind is logged, then one in every <see cref="Every"/>, each saying how many were
/// refused since the last line. A flood of a million bad notifications costs a hundred lines.
/// </summary>
internal sealed class RefusalThrottle
{
    public const int Every = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Refused, long LoggedAt)> _kinds = new(StringComparer.Ordinal);

    /// <summary>Counts one refusal of <paramref name="kind"/>; true when it is to be logged, with how many went unlogged before it.</summary>
    public bool ShouldLog(string kind, out long unlogged)
    {
        lock (_lock)
        {
            var (refused, loggedAt) = _kinds.GetValueOrDefault(kind);
            refused++;
            var log = refused == 1 || refused - loggedAt >= Every;
            unlogged = log ? Math.Max(0, refused - loggedAt - 1) : 0;
            _kinds[kind] = (refused, log ? refused : loggedAt);
            return log;
        }
    }
}

namespace Agor.Daemon.Configuration;

/// <summary>
/// <c>limits:</c> what one task may make the daemon store. The defaults are far beyond what a real
/// agent produces (a long session has thousands of messages, rarely one over a megabyte), and
/// small enough that one hostile executor cannot fill the disk or the daemon's memory.
/// </summary>
internal sealed record LimitSettings
{
    /// <summary>Messages stored per task; past it the task fails with <c>limit_exceeded</c>.</summary>
    public int MaxMessagesPerTask { get; init; } = 100_000;

    /// <summary>Bytes of one event's <c>event_data</c>; a larger event is dropped and the task goes on.</summary>
    public int MaxEventBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Bytes of event data stored per task; past it the task fails with <c>limit_exceeded</c>.</summary>
    public long MaxStoredBytesPerTask { get; init; } = 256L * 1024 * 1024;

    /// <summary>US dollars one task may spend on the model, measured at the gateway; 0 = no cap.</summary>
    public double MaxCostUsdPerTask { get; init; }

    /// <summary>US dollars one session's tasks may spend together, measured at the gateway; 0 = no cap.</summary>
    public double MaxCostUsdPerSession { get; init; }
}

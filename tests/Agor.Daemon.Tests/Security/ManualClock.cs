namespace Agor.Daemon.Tests.Security;

/// <summary>A clock the test moves by hand (the real one cannot be made to pass a day).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

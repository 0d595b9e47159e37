namespace Agor.Daemon.Hosting;

/// <summary>
/// One fact about whether this machine can run tasks as configured: what was checked, whether it is
/// in order, what was found, and on failure the fix in one line. The daemon's start log, <c>GET
/// /health</c>, <c>agor daemon status</c> and <c>agor doctor</c> all speak in these.
/// </summary>
internal sealed record ReadinessCheck(string Name, bool Ok, string Detail, string? Fix = null)
{
    public static ReadinessCheck Pass(string name, string detail) => new(name, true, detail);

    public static ReadinessCheck Fail(string name, string detail, string? fix) => new(name, false, detail, fix);
}

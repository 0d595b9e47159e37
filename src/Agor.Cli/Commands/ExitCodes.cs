namespace Agor.Cli.Commands;

/// <summary>Exit codes, after sysexits.h where one fits.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 64;
    public const int Unavailable = 69;
    public const int Software = 70;
    public const int NoPermission = 77;
    public const int Config = 78;

    /// <summary>Ended by Ctrl-C (128 + SIGINT), as shells report it.</summary>
    public const int Interrupted = 130;

    /// <summary><c>agor daemon status</c>: not running (as LSB init scripts say it).</summary>
    public const int NotRunning = 3;
}

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
}

using System.Reflection;

namespace Agor.Daemon.Api;

/// <summary>The daemon's version as built (informational version without the source revision).</summary>
internal static class DaemonVersion
{
    public static string Current { get; } =
        typeof(DaemonVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}

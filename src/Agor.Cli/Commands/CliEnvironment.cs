using System.Collections;
using Agor.Cli.Client;
using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Commands;

/// <summary>The process environment as the configuration reads it, and the home it names.</summary>
internal static class CliEnvironment
{
    public static IReadOnlyDictionary<string, string?> Variables { get; } =
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    public static AgorHome Home => new(ConfigLoader.ResolveHome(Variables));

    /// <summary>A client for the daemon of this home, with its token.</summary>
    public static DaemonClient CreateClient() => DaemonClient.Create(Home, Variables);
}

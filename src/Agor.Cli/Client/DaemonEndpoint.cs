using Agor.Cli.Commands;
using Agor.Cli.Runtime;
using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Client;

/// <summary>
/// Where the daemon of an AGOR_HOME listens: the address a running daemon recorded in
/// <c>daemon.address</c>, else <c>daemon.host</c>/<c>daemon.port</c> of the configuration
/// (with <c>AGOR_PORT</c>).
/// </summary>
internal sealed record DaemonEndpoint(Uri Address, string TokenPath)
{
    public static DaemonEndpoint Resolve(AgorHome home, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(home);
        if (new DaemonRuntimeFiles(home.Path).ReadRunning() is { Address: { } recorded } && Uri.TryCreate(recorded, UriKind.Absolute, out var running))
        {
            return new DaemonEndpoint(ToClientAddress(running), home.TokenPath);
        }

        AgorConfig config;
        try
        {
            config = ConfigLoader.Load(home.Path, environment);
        }
        catch (ConfigException ex)
        {
            throw new CliException(ex.Message, ExitCodes.Config);
        }

        if (config.Daemon.Port == 0)
        {
            throw new CliException(
                $"the daemon is not running (no {DaemonRuntimeFiles.AddressFileName} in {home.Path}, and daemon.port is 0, so its port is chosen when it starts); start it with `agor daemon start`",
                ExitCodes.Unavailable);
        }

        var host = config.Daemon.Host.Contains(':', StringComparison.Ordinal) && !config.Daemon.Host.StartsWith('[') ? $"[{config.Daemon.Host}]" : config.Daemon.Host;
        return new DaemonEndpoint(ToClientAddress(new Uri($"http://{host}:{config.Daemon.Port}")), home.TokenPath);
    }

    /// <summary>A daemon bound to every interface is reached on loopback.</summary>
    private static Uri ToClientAddress(Uri address) =>
        address.Host is "0.0.0.0" or "[::]" or "::" or "*" or "+"
            ? new UriBuilder(address) { Host = "127.0.0.1" }.Uri
            : address;
}

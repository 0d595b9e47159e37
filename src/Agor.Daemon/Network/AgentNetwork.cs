using System.Globalization;
using Agor.Daemon.Configuration;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Network;

/// <summary>
/// The one owner of how agents reach the outside. A sandboxed agent has a network namespace of its
/// own, with two ports on its loopback: <see cref="ProxyPortInside"/> (the egress proxy) and
/// <see cref="GatewayPortInside"/> (the model gateway), bridged by the executor's forwarder to the
/// Unix sockets in <see cref="Directory"/>, a private directory made fresh at each start (0711: the
/// executor's user can reach the sockets it is told of, nobody can list them). An unconfined agent
/// (sandbox off, or unavailable under auto) is given the gateway's and the proxy's loopback TCP ports.
/// </summary>
internal sealed class AgentNetwork : IDisposable
{
    public const int ProxyPortInside = 3128;
    public const int GatewayPortInside = 3129;

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    // Who may connect is decided by the peer's uid (AgentPeers), which needs the socket open to all.
    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private readonly NetworkSettings _settings;
    private string? _gatewayUrl;
    private int _proxyPort;

    private AgentNetwork(string directory, NetworkSettings settings, AgentPeers peers)
    {
        Directory = directory;
        _settings = settings;
        Peers = peers;
    }

    /// <summary>The private directory of the sockets, <c>/tmp/agor-net-XXXXXX</c>.</summary>
    public string Directory { get; }

    public string GatewaySocket => Path.Combine(Directory, "gateway.sock");

    public string ProxySocket => Path.Combine(Directory, "proxy.sock");

    public AgentPeers Peers { get; }

    /// <summary>Makes the sockets' directory (random name, created 0700 by the runtime, then opened to traversal).</summary>
    public static AgentNetwork Create(ExecutionSettings execution, NetworkSettings settings, uint ownUid, ILogger logger)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("agor-net-").FullName;
        File.SetUnixFileMode(directory, DirectoryMode);
        return new AgentNetwork(directory, settings, new AgentPeers(execution, ownUid, logger));
    }

    /// <summary>Records the loopback listeners once they run, and opens the Unix sockets to the admitted peers.</summary>
    public void Started(string? gatewayUrl, int proxyPort)
    {
        _gatewayUrl = gatewayUrl;
        _proxyPort = proxyPort;
        foreach (var socket in new[] { GatewaySocket, ProxySocket }.Where(File.Exists))
        {
            File.SetUnixFileMode(socket, SocketMode);
        }
    }

    /// <summary>The <c>sandbox.network</c> of a sandboxed task: its own namespace and the two forwards.</summary>
    public SandboxNetwork SandboxSpec()
    {
        var forwards = new List<NetworkForward> { new() { Port = ProxyPortInside, Socket = ProxySocket } };
        if (_gatewayUrl is not null)
        {
            forwards.Add(new NetworkForward { Port = GatewayPortInside, Socket = GatewaySocket });
        }

        // The proxy holds a task to max_connections_per_task; the gateway's few connections come on top.
        var maxConnections = Math.Min(SandboxNetwork.MaxConnectionsLimit, _settings.MaxConnectionsPerTask + 16);
        return new SandboxNetwork { Isolate = true, Forwards = forwards, MaxConnections = maxConnections };
    }

    /// <summary>The addresses the agent is given, inside its namespace or, unconfined, on the host's loopback.</summary>
    public AgentAddresses AddressesFor(bool isolated)
    {
        if (isolated)
        {
            var gateway = _gatewayUrl is null ? null : $"http://127.0.0.1:{GatewayPortInside.ToString(CultureInfo.InvariantCulture)}";
            return new AgentAddresses(gateway, $"127.0.0.1:{ProxyPortInside.ToString(CultureInfo.InvariantCulture)}", ["127.0.0.1", "localhost"]);
        }

        var gatewayHost = Uri.TryCreate(_gatewayUrl, UriKind.Absolute, out var url) ? url.Host : null;
        return new AgentAddresses(_gatewayUrl, $"127.0.0.1:{_proxyPort.ToString(CultureInfo.InvariantCulture)}", gatewayHost is null ? [] : [gatewayHost]);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left in /tmp with dead sockets; the next start makes a new one.
        }
    }
}

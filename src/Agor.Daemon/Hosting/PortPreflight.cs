using System.Net;
using System.Net.Sockets;
using Agor.Daemon.Configuration;

namespace Agor.Daemon.Hosting;

/// <summary>
/// Before the daemon opens anything, binds its address once and lets go, so that a taken port is
/// one line naming who holds it rather than a failure deep in the web server's start.
/// </summary>
internal static class PortPreflight
{
    /// <summary>Throws <see cref="PortInUseException"/> when the configured port cannot be bound (port 0 and host names are left to the server).</summary>
    public static void ThrowIfTaken(DaemonSettings daemon)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        if (daemon.Port == 0 || Address(daemon.Host) is not { } address)
        {
            return;
        }

        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(new IPEndPoint(address, daemon.Port));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new PortInUseException(PortOwner.Find(daemon.Port) ?? new PortListener(daemon.Port, null, null));
        }
    }

    private static IPAddress? Address(string host) =>
        host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host.Trim('[', ']'), out var address) ? address
        : null;
}

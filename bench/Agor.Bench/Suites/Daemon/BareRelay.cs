using System.Net;
using System.Net.Sockets;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// The least a relay on loopback can do, for the tunnel figure's diagnostic row: accepts on a free
/// port, connects each client to one fixed target and copies bytes both ways with one buffer of
/// <see cref="BufferBytes"/> per direction (the egress proxy's size), passing on a half-close. No
/// head, no credentials, no policy, no idle timer, no record: what the second hop itself costs.
/// </summary>
internal sealed class BareRelay : IAsyncDisposable
{
    public const int BufferBytes = 64 * 1024;

    private readonly LoopbackServer _server;
    private readonly int _targetPort;

    private BareRelay(int targetPort)
    {
        _targetPort = targetPort;
        _server = LoopbackServer.Start(RelayAsync);
    }

    public int Port => _server.Port;

    public static BareRelay Start(int targetPort) => new(targetPort);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task RelayAsync(Socket client, CancellationToken cancellationToken)
    {
        using (client)
        using (var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                await target.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), cancellationToken);
                await Task.WhenAll(PumpAsync(client, target, cancellationToken), PumpAsync(target, client, cancellationToken));
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped, or a side went away: the transfer's client reports what it did not get.
            }
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferBytes];
        int read;
        while ((read = await from.ReceiveAsync(buffer, cancellationToken)) > 0)
        {
            for (var sent = 0; sent < read;)
            {
                sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), cancellationToken);
            }
        }

        to.Shutdown(SocketShutdown.Send);
    }
}

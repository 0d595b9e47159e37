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

    private readonly Socket _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private readonly List<Task> _relays = [];
    private readonly Lock _lock = new();

    private BareRelay(Socket listener, int targetPort)
    {
        _listener = listener;
        _targetPort = targetPort;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _accepting = AcceptLoopAsync();
    }

    public int Port { get; }

    public static BareRelay Start(int targetPort)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(16);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new BareRelay(listener, targetPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        Task[] relays;
        lock (_lock)
        {
            relays = [.. _relays];
        }

        await Task.WhenAll(relays);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_lock)
            {
                _relays.RemoveAll(t => t.IsCompleted);
                _relays.Add(RelayAsync(client, _stopping.Token));
            }
        }
    }

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

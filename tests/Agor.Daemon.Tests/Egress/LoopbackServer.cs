using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Agor.Daemon.Tests.Egress;

/// <summary>
/// A loopback TCP server for the proxy's specs: either an echo server (every byte sent back) or a
/// tiny HTTP server that answers <c>hello</c> and keeps the heads it received.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients = [];
    private readonly Task _accepting;
    private readonly bool _http;

    private LoopbackServer(bool http)
    {
        _http = http;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The request heads the HTTP server received, as text.</summary>
    public List<string> Heads { get; } = [];

    public int Accepted { get; private set; }

    public static LoopbackServer Echo() => new(http: false);

    public static LoopbackServer Http() => new(http: true);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }

        await Task.WhenAll(clients);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Accepted++;
            lock (_clients)
            {
                _clients.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            if (!_http)
            {
                await stream.CopyToAsync(stream, _stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
                return;
            }

            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, _stop.Token) == 1)
            {
                head.Append((char)one[0]);
            }

            lock (Heads)
            {
                Heads.Add(head.ToString());
            }

            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"u8.ToArray(), _stop.Token);
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            // The spec ended the connection or the server is stopping.
        }
    }
}

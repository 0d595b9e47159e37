using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Agor.Cli.Tests.Support;

/// <summary>
/// A tiny HTTP server on a loopback port that answers every request with a fixed body, for the
/// agent to reach through the egress proxy. Counts the connections it accepted.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _answer;
    private readonly Task _accepting;
    private int _accepted;

    public LoopbackHttpServer(string body)
    {
        var bytes = Encoding.UTF8.GetByteCount(body);
        _answer = Encoding.UTF8.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n{body}");
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                await AnswerAsync(client, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
            {
                // Stopping, or a client that went away mid-request.
            }
        }
    }

    private async Task AnswerAsync(TcpClient client, CancellationToken cancellationToken)
    {
        var stream = client.GetStream();
        var head = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(head) && await stream.ReadAsync(one, cancellationToken) == 1)
        {
            head.Add(one[0]);
        }

        await stream.WriteAsync(_answer, cancellationToken);
        client.Client.Shutdown(SocketShutdown.Send);
    }

    private static bool EndsWithBlankLine(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';
}

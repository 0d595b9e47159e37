using System.Net.Sockets;
using System.Text;

namespace Agor.Daemon.Tests.Egress;

/// <summary>A raw client of the egress proxy: sends a head, reads the answer's head, then the stream is the tunnel.</summary>
internal sealed class ProxyClient : IDisposable
{
    private readonly TcpClient _tcp = new();

    private ProxyClient()
    {
    }

    private NetworkStream? _stream;

    /// <summary>Taken once: <see cref="TcpClient.GetStream"/> refuses after a half-close.</summary>
    public NetworkStream Stream => _stream ??= _tcp.GetStream();

    public static async Task<ProxyClient> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var client = new ProxyClient();
        await client._tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
        _ = client.Stream;
        return client;
    }

    public static string Credentials(string token) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("agor:" + token));

    /// <summary>Sends <paramref name="head"/> (without its closing blank line) and returns the status line and headers of the answer.</summary>
    public async Task<string> SendHeadAsync(string head, CancellationToken cancellationToken)
    {
        await Stream.WriteAsync(Encoding.Latin1.GetBytes(head + "\r\n\r\n"), cancellationToken);
        return await ReadHeadAsync(cancellationToken);
    }

    public async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await Stream.ReadAsync(one, cancellationToken) == 1)
        {
            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    /// <summary>Everything until the proxy or the server closes.</summary>
    public async Task<string> ReadToEndAsync(CancellationToken cancellationToken)
    {
        using var memory = new MemoryStream();
        await Stream.CopyToAsync(memory, cancellationToken);
        return Encoding.UTF8.GetString(memory.ToArray());
    }

    public void Dispose() => _tcp.Dispose();
}

using System.Buffers.Binary;
using System.Net.Sockets;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// A loopback TCP server for throughput, reached directly or through a proxy tunnel. A connection
/// opens with one byte: <c>U</c> (upload) — the server reads to the end and answers the count as
/// 8 bytes (big endian); <c>D</c> and an 8-byte count (download) — the server writes that many
/// bytes and ends its side. Each connection is served on its own task; disposing stops accepting
/// and ends every connection.
/// </summary>
internal sealed class ByteSinkServer : IAsyncDisposable
{
    public const int BufferBytes = 64 * 1024;

    private readonly LoopbackServer _server;

    private ByteSinkServer(LoopbackServer server) => _server = server;

    public int Port => _server.Port;

    public static ByteSinkServer Start() => new(LoopbackServer.Start(ServeAsync));

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                client.NoDelay = true;
                var buffer = new byte[BufferBytes];
                if (await client.ReceiveAsync(buffer.AsMemory(0, 1), cancellationToken) != 1)
                {
                    return;
                }

                if (buffer[0] == (byte)'U')
                {
                    long total = 0;
                    int read;
                    while ((read = await client.ReceiveAsync(buffer, cancellationToken)) > 0)
                    {
                        total += read;
                    }

                    BinaryPrimitives.WriteInt64BigEndian(buffer, total);
                    await client.SendAsync(buffer.AsMemory(0, 8), cancellationToken);
                    client.Shutdown(SocketShutdown.Send);
                }
                else if (buffer[0] == (byte)'D')
                {
                    await ReceiveExactlyAsync(client, buffer.AsMemory(0, 8), cancellationToken);
                    var remaining = BinaryPrimitives.ReadInt64BigEndian(buffer);
                    while (remaining > 0)
                    {
                        var count = (int)Math.Min(remaining, buffer.Length);
                        remaining -= await client.SendAsync(buffer.AsMemory(0, count), cancellationToken);
                    }

                    client.Shutdown(SocketShutdown.Send);

                    // Wait for the client to finish with the connection before closing it.
                    while (await client.ReceiveAsync(buffer, cancellationToken) > 0)
                    {
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped, or the client went away: the client side reports what it did not get.
            }
        }
    }

    public static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> into, CancellationToken cancellationToken)
    {
        while (!into.IsEmpty)
        {
            var read = await socket.ReceiveAsync(into, cancellationToken);
            if (read == 0)
            {
                throw new IOException($"The connection ended {into.Length} bytes short.");
            }

            into = into[read..];
        }
    }
}

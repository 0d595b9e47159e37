using System.Buffers.Binary;
using System.Net;
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

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private readonly List<Task> _connections = [];
    private readonly Lock _lock = new();

    private ByteSinkServer(Socket listener)
    {
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _accepting = AcceptLoopAsync();
    }

    public int Port { get; }

    public static ByteSinkServer Start()
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

        return new ByteSinkServer(listener);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        Task[] connections;
        lock (_lock)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
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
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(ServeAsync(client, _stopping.Token));
            }
        }
    }

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

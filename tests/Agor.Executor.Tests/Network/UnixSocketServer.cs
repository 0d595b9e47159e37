using System.Net;
using System.Net.Sockets;

namespace Agor.Executor.Tests.Network;

/// <summary>
/// A Unix-socket server outside the sandbox, in a directory of its own: either a byte relay to a
/// TCP endpoint (the scripted model server), or an echo server that holds every connection until
/// <c>barrier</c> of them are open at once (so a forwarder that serialised connections would hang).
/// </summary>
internal sealed class UnixSocketServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly string _directory;
    private readonly TaskCompletionSource _barrier = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _accepted;

    private UnixSocketServer(Func<UnixSocketServer, Socket, Task> serve)
    {
        _directory = Directory.CreateTempSubdirectory("agor-net-").FullName;
        SocketPath = Path.Combine(_directory, "s.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(64);
        _accepting = AcceptAsync(serve);
    }

    public string SocketPath { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public int Barrier { get; private init; }

    /// <summary>Relays each connection to <paramref name="target"/> on loopback TCP.</summary>
    public static UnixSocketServer RelayTo(IPEndPoint target) => new(async (_, client) =>
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await upstream.ConnectAsync(target);
        await Task.WhenAll(CopyAsync(client, upstream), CopyAsync(upstream, client));
    });

    /// <summary>Echoes each connection's bytes back once <paramref name="barrier"/> connections are open; closes after the client's end.</summary>
    public static UnixSocketServer Echo(int barrier) => new(async (server, client) =>
    {
        if (server.Accepted >= server.Barrier)
        {
            server._barrier.TrySetResult();
        }

        await server._barrier.Task.WaitAsync(server._stop.Token);
        await CopyAsync(client, client);
    }) { Barrier = barrier };

    private async Task AcceptAsync(Func<UnixSocketServer, Socket, Task> serve)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await serve(this, client);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                    }
                }
            });
        }
    }

    private static async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReceiveAsync(buffer)) > 0)
        {
            await to.SendAsync(buffer.AsMemory(0, read));
        }

        to.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

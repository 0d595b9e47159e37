using System.Net.Sockets;

namespace Agor.Executor.Network;

/// <summary>
/// Accepts on one loopback listener and, for each connection, connects to the forward's Unix socket
/// and copies bytes both ways until both sides have ended. Connections open at once through all
/// forwards are bounded by the shared gate, taken before accepting; each holds two fixed buffers.
/// </summary>
internal sealed class ForwardRelay(Socket listener, string socketPath, SemaphoreSlim gate)
{
    /// <summary>Bytes read at a time in each direction of a connection.</summary>
    public const int BufferSize = 16 * 1024;

    public async Task AcceptAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await gate.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                gate.Release();
                if (ex is SocketException && !stop.IsCancellationRequested)
                {
                    continue;
                }

                return;
            }

            _ = RelayAsync(client, stop);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken stop)
    {
        using var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using (client)
            {
                client.NoDelay = true;
                await upstream.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), stop);
                await Task.WhenAll(PumpAsync(client, upstream, stop), PumpAsync(upstream, client, stop));
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Refused outside, reset or stopped: the connection ends (the client sees it close).
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/>; at end of stream half-closes <paramref name="to"/>, on error closes both.</summary>
    private static async Task PumpAsync(Socket from, Socket to, CancellationToken stop)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, stop);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, stop);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            from.Close();
            to.Close();
        }
    }
}

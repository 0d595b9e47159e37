using System.Net.Sockets;
using System.Text;

namespace Agor.PoolProbe;

/// <summary>A raw client: one line out, one line back; prints "reply: ...", "closed" (end or reset) or "error: ..." (could not connect).</summary>
internal static class SocketProbe
{
    public static async Task<int> RunAsync(string socketPath, string line)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException ex)
        {
            Console.WriteLine($"error: {ex.SocketErrorCode}");
            return 0;
        }

        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"));
            using var reader = new StreamReader(new NetworkStream(socket), Encoding.UTF8);
            var reply = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
            Console.WriteLine(reply is null ? "closed" : $"reply: {reply}");
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            // The executor closed on us (a reset, as our line was still unread).
            Console.WriteLine("closed");
        }

        return 0;
    }
}

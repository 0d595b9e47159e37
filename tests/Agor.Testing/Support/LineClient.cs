using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Agor.Testing.Support;

/// <summary>A newline-delimited text client over a connected socket, for talking JSON-RPC by hand.</summary>
public sealed class LineClient(Socket socket) : IDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private StreamReader? _reader;

    private StreamReader Reader => _reader ??= new StreamReader(_stream, Encoding.UTF8);

    public async Task SendAsync(string line) => await SendRawAsync(Encoding.UTF8.GetBytes(line + "\n"));

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>The next line, or null when the other side closed.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        try
        {
            return await Reader.ReadLineAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async Task<JsonElement> ReadJsonAsync()
    {
        var line = await ReadLineAsync() ?? throw new InvalidOperationException("the connection closed");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    /// <summary>Closes the writing half only, as a peer that dropped mid-line would.</summary>
    public void ShutdownSend() => socket.Shutdown(SocketShutdown.Send);

    public void Dispose()
    {
        _reader?.Dispose();
        _stream.Dispose();
    }
}

using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Agor.Protocol.JsonRpc;

namespace Agor.Protocol.Tests;

/// <summary>A peer under test, with the other end driven by hand: raw lines in, raw lines out.</summary>
internal sealed class RawPeerHarness : IAsyncDisposable
{
    private readonly Pipe _toPeer = new();
    private readonly Pipe _fromPeer = new();
    private readonly StreamReader _reader;

    public RawPeerHarness(int maxLineBytes = JsonRpcPeerOptions.DefaultMaxLineBytes, Action<JsonRpcPeer>? configure = null)
    {
        Peer = new JsonRpcPeer(_toPeer.Reader, _fromPeer.Writer, new JsonRpcPeerOptions { MaxLineBytes = maxLineBytes, Name = "under-test" });
        Peer.AddRequestHandler(TestMethods.Echo, async (p, ct) =>
        {
            if (p.DelayMs > 0)
            {
                await Task.Delay(p.DelayMs, ct);
            }

            return new EchoResult(p.Text);
        });
        Peer.AddRequestHandler(TestMethods.Strict, (p, ct) => ValueTask.FromResult(new Empty()));
        Peer.AddRequestHandler<Empty, Empty>(TestMethods.Fail, (p, ct) => throw new InvalidOperationException("secret detail"));
        configure?.Invoke(Peer);
        Peer.Start();
        _reader = new StreamReader(_fromPeer.Reader.AsStream(), Encoding.UTF8);
    }

    public JsonRpcPeer Peer { get; }

    public async Task SendAsync(string line)
    {
        await _toPeer.Writer.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
    }

    public async Task SendRawAsync(byte[] bytes) => await _toPeer.Writer.WriteAsync(bytes);

    public Task CompleteInputAsync() => _toPeer.Writer.CompleteAsync().AsTask();

    /// <summary>The next line the peer wrote, or null at end of stream.</summary>
    public async Task<string?> ReadLineAsync() =>
        await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));

    public async Task<JsonElement> ReadJsonAsync()
    {
        var line = await ReadLineAsync() ?? throw new InvalidOperationException("the peer closed its output");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await Peer.DisposeAsync();
        _reader.Dispose();
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Agor.Protocol.JsonRpc;
using Microsoft.Extensions.Logging;

namespace Agor.Protocol.Tests;

/// <summary>A peer under test, with the other end driven by hand: raw lines in, raw lines out.</summary>
internal sealed class RawPeerHarness : IAsyncDisposable
{
    private readonly Pipe _toPeer = new();
    private readonly Pipe _fromPeer = new();

    public RawPeerHarness(int maxLineBytes = JsonRpcPeerOptions.DefaultMaxLineBytes, Action<JsonRpcPeer>? configure = null)
        : this(new JsonRpcPeerOptions { MaxLineBytes = maxLineBytes, Name = "under-test" }, null, configure)
    {
    }

    public RawPeerHarness(JsonRpcPeerOptions options, ILogger? logger, Action<JsonRpcPeer>? configure = null)
    {
        Peer = new JsonRpcPeer(_toPeer.Reader, _fromPeer.Writer, options, logger);
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
    }

    public JsonRpcPeer Peer { get; }

    /// <summary>The writer of the peer's input, for tests that push bytes themselves.</summary>
    public PipeWriter Input => _toPeer.Writer;

    public async Task SendAsync(string line)
    {
        await _toPeer.Writer.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
    }

    public async Task SendRawAsync(byte[] bytes) => await _toPeer.Writer.WriteAsync(bytes);

    public Task CompleteInputAsync() => _toPeer.Writer.CompleteAsync().AsTask();

    /// <summary>The next line the peer wrote, byte for byte without its '\n', or null at end of stream.</summary>
    public async Task<byte[]?> ReadRawLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var read = await _fromPeer.Reader.ReadAsync(timeout.Token);
            var buffer = read.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end).ToArray();
                _fromPeer.Reader.AdvanceTo(buffer.GetPosition(1, end));
                return line;
            }

            _fromPeer.Reader.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>The next line the peer wrote, or null at end of stream.</summary>
    public async Task<string?> ReadLineAsync() =>
        await ReadRawLineAsync() is { } line ? Encoding.UTF8.GetString(line) : null;

    public async Task<JsonElement> ReadJsonAsync()
    {
        var line = await ReadLineAsync() ?? throw new InvalidOperationException("the peer closed its output");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await Peer.DisposeAsync();
        await _fromPeer.Reader.CompleteAsync();
    }
}

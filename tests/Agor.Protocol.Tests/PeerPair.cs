using System.IO.Pipelines;
using Agor.Protocol.JsonRpc;

namespace Agor.Protocol.Tests;

/// <summary>Two connected peers over in-memory pipes.</summary>
internal sealed class PeerPair : IAsyncDisposable
{
    public PeerPair(Action<JsonRpcPeer>? configureLeft = null, Action<JsonRpcPeer>? configureRight = null)
    {
        var leftToRight = new Pipe();
        var rightToLeft = new Pipe();
        Left = new JsonRpcPeer(rightToLeft.Reader, leftToRight.Writer, new JsonRpcPeerOptions { Name = "left" });
        Right = new JsonRpcPeer(leftToRight.Reader, rightToLeft.Writer, new JsonRpcPeerOptions { Name = "right" });
        configureLeft?.Invoke(Left);
        configureRight?.Invoke(Right);
        Left.Start();
        Right.Start();
    }

    public JsonRpcPeer Left { get; }

    public JsonRpcPeer Right { get; }

    public async ValueTask DisposeAsync()
    {
        await Left.DisposeAsync();
        await Right.DisposeAsync();
    }
}

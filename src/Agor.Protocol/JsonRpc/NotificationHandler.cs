namespace Agor.Protocol.JsonRpc;

/// <summary>Decodes the params of one incoming notification and runs its handler.</summary>
internal abstract class NotificationHandler
{
    public abstract string Method { get; }

    /// <summary>Runs the handler; the reader awaits the result before the next line, which keeps notifications in order.</summary>
    public abstract ValueTask InvokeAsync(JsonRpcPeer peer, ReadOnlySpan<byte> paramsJson);
}

internal sealed class NotificationHandler<TParams>(
    JsonRpcNotification<TParams> notification,
    Func<TParams, CancellationToken, ValueTask> handler) : NotificationHandler
{
    public override string Method => notification.Name;

    public override ValueTask InvokeAsync(JsonRpcPeer peer, ReadOnlySpan<byte> paramsJson)
    {
        if (!ParamsDecoder.TryDecode(paramsJson, notification.ParamsType, out var parameters, out var problem))
        {
            JsonRpcPeerLog.InvalidNotification(peer.Logger, peer.Name, Method, problem);
            return ValueTask.CompletedTask;
        }

        return handler(parameters, peer.Closing);
    }
}

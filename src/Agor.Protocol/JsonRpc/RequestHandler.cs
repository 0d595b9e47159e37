namespace Agor.Protocol.JsonRpc;

/// <summary>Decodes the params of one incoming request and runs its handler.</summary>
internal abstract class RequestHandler
{
    public abstract string Method { get; }

    /// <summary>
    /// Answers the request now or later; never throws (a handler's fault is that request's error).
    /// Outside a batch the dispatcher has called <see cref="ResponseSender.BeginRequests"/>, and the
    /// answer is followed by <see cref="ResponseSender.EndRequest"/>.
    /// </summary>
    public abstract void Invoke(ResponseSender peer, ReadOnlySpan<byte> id, ReadOnlySpan<byte> paramsJson, BatchResponse? batch);
}

internal sealed class RequestHandler<TParams, TResult>(
    JsonRpcMethod<TParams, TResult> method,
    Func<TParams, CancellationToken, ValueTask<TResult>> handler) : RequestHandler
{
    public override string Method => method.Name;

    public override void Invoke(ResponseSender peer, ReadOnlySpan<byte> id, ReadOnlySpan<byte> paramsJson, BatchResponse? batch)
    {
        if (!ParamsDecoder.TryDecode(paramsJson, method.ParamsType, out var parameters, out var problem))
        {
            peer.SendError(id, JsonRpcErrorCode.InvalidParams, problem, batch);
            Done(peer, batch);
            return;
        }

        ValueTask<TResult> pending;
        try
        {
            pending = handler(parameters, peer.Closing);
        }
        catch (Exception ex)
        {
            peer.SendHandlerFailure(id, Method, ex, batch);
            Done(peer, batch);
            return;
        }

        if (pending.IsCompletedSuccessfully)
        {
            peer.SendResult(id, pending.Result, method.ResultType, batch);
            Done(peer, batch);
            return;
        }

        batch?.Hold();
        _ = AnswerWhenDoneAsync(peer, id.ToArray(), pending, batch);
    }

    private static void Done(ResponseSender peer, BatchResponse? batch)
    {
        if (batch is null)
        {
            peer.EndRequest();
        }
    }

    private async Task AnswerWhenDoneAsync(ResponseSender peer, byte[] id, ValueTask<TResult> pending, BatchResponse? batch)
    {
        try
        {
            var result = await pending;
            peer.SendResult(id, result, method.ResultType, batch);
        }
        catch (Exception ex)
        {
            peer.SendHandlerFailure(id, Method, ex, batch);
        }
        finally
        {
            if (batch is null)
            {
                peer.EndRequest();
            }
            else
            {
                batch.Release();
            }
        }
    }
}

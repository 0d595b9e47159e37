using System.Text.Json;

namespace Agor.Protocol.JsonRpc;

/// <summary>Decodes the params of one incoming request and runs its handler.</summary>
internal abstract class RequestHandler
{
    public abstract string Method { get; }

    /// <summary>
    /// Answers the request now or later. Outside a batch the peer has called
    /// <see cref="JsonRpcPeer.BeginRequest"/>, and the answer is followed by <see cref="JsonRpcPeer.EndRequest"/>.
    /// </summary>
    public abstract void Invoke(JsonRpcPeer peer, ReadOnlySpan<byte> id, ReadOnlySpan<byte> paramsJson, BatchResponse? batch);
}

internal sealed class RequestHandler<TParams, TResult>(
    JsonRpcMethod<TParams, TResult> method,
    Func<TParams, CancellationToken, ValueTask<TResult>> handler) : RequestHandler
{
    public override string Method => method.Name;

    public override void Invoke(JsonRpcPeer peer, ReadOnlySpan<byte> id, ReadOnlySpan<byte> paramsJson, BatchResponse? batch)
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

    private static void Done(JsonRpcPeer peer, BatchResponse? batch)
    {
        if (batch is null)
        {
            peer.EndRequest();
        }
    }

    private async Task AnswerWhenDoneAsync(JsonRpcPeer peer, byte[] id, ValueTask<TResult> pending, BatchResponse? batch)
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

/// <summary>Decodes params with the contract's type information and names what is wrong.</summary>
internal static class ParamsDecoder
{
    private static ReadOnlySpan<byte> EmptyObject => "{}"u8;

    public static bool TryDecode<TParams>(
        ReadOnlySpan<byte> json,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TParams> type,
        out TParams value,
        out string problem)
    {
        if (!json.IsEmpty && json[0] == (byte)'[')
        {
            value = default!;
            problem = "Invalid params: params must be an object with named members.";
            return false;
        }

        try
        {
            var decoded = JsonSerializer.Deserialize(json.IsEmpty ? EmptyObject : json, type);
            if (decoded is null)
            {
                value = default!;
                problem = "Invalid params: params must be an object.";
                return false;
            }

            value = decoded;
            problem = string.Empty;
            return true;
        }
        catch (JsonException ex)
        {
            value = default!;
            problem = Describe(ex);
            return false;
        }
    }

    private static string Describe(JsonException ex)
    {
        // The serializer's messages name CLR types; a peer needs the JSON member instead.
        const string MissingMarker = "missing required properties including: ";
        var missing = ex.Message.IndexOf(MissingMarker, StringComparison.Ordinal);
        if (missing >= 0)
        {
            return $"Invalid params: missing required {ex.Message[(missing + MissingMarker.Length)..].TrimEnd('.')}.";
        }

        if (ex.Path is { Length: > 2 } path)
        {
            return $"Invalid params: '{path[2..]}' has a value of the wrong type.";
        }

        return "Invalid params: params must be an object.";
    }
}

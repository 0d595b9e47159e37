namespace Agor.Protocol.JsonRpc;

/// <summary>
/// An error response: thrown by a handler to answer with a specific code, and thrown to a caller
/// of <see cref="JsonRpcPeer.InvokeAsync{TParams, TResult}"/> when the remote side answered with an error.
/// </summary>
public class JsonRpcException : Exception
{
    /// <summary>Creates an error with a code and a message that is safe to send to the peer.</summary>
    public JsonRpcException(JsonRpcErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Creates an error with a raw numeric code (as received from a peer).</summary>
    public JsonRpcException(int code, string message)
        : base(message)
    {
        Code = (JsonRpcErrorCode)code;
    }

    /// <summary>The JSON-RPC error code.</summary>
    public JsonRpcErrorCode Code { get; }

    /// <summary>A -32602 error naming the field that is wrong.</summary>
    public static JsonRpcException InvalidParams(string field, string problem) =>
        new(JsonRpcErrorCode.InvalidParams, $"Invalid params: '{field}' {problem}");
}

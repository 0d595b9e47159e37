namespace Agor.Protocol.JsonRpc;

/// <summary>The error codes of the JSON-RPC 2.0 specification and the application codes of Agor's contract.</summary>
public enum JsonRpcErrorCode
{
    /// <summary>The line was not valid JSON. Answered with a null id.</summary>
    ParseError = -32700,

    /// <summary>The JSON was not a valid request object (wrong <c>jsonrpc</c>, method not a string, empty batch...).</summary>
    InvalidRequest = -32600,

    /// <summary>No handler is registered for the method.</summary>
    MethodNotFound = -32601,

    /// <summary>The params are missing a field, have a field of the wrong type, or fail validation.</summary>
    InvalidParams = -32602,

    /// <summary>The handler failed unexpectedly; details are logged on the side that failed, never sent.</summary>
    InternalError = -32603,

    /// <summary>The session token is unknown, expired, revoked, over its use limit or bound to another task.</summary>
    InvalidSessionToken = -32001,

    /// <summary>A permission was denied or nobody answered it in time.</summary>
    PermissionDenied = -32002,

    /// <summary>No API key is configured for the requested service.</summary>
    NoApiKey = -32003,

    /// <summary>The peer is busy or a limit was reached.</summary>
    Busy = -32004,
}

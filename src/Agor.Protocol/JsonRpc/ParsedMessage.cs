namespace Agor.Protocol.JsonRpc;

internal enum MessageKind
{
    Invalid,
    Request,
    Notification,
    Result,
    Error,
}

/// <summary>One decoded JSON-RPC message. Its spans point into the line being read and die with it.</summary>
internal ref struct ParsedMessage
{
    public MessageKind Kind;

    /// <summary>The id exactly as it appeared (a JSON string with quotes, a number or null); empty when absent.</summary>
    public ReadOnlySpan<byte> Id;

    /// <summary>The method name, unescaped UTF-8.</summary>
    public ReadOnlySpan<byte> Method;

    /// <summary>Raw JSON of params (an object or array); empty when absent.</summary>
    public ReadOnlySpan<byte> Params;

    /// <summary>Raw JSON of the result.</summary>
    public ReadOnlySpan<byte> Result;

    public int ErrorCode;
    public string? ErrorMessage;

    /// <summary>Why an <see cref="MessageKind.Invalid"/> message is invalid.</summary>
    public string? InvalidReason;

    /// <summary>The error code that answers an <see cref="MessageKind.Invalid"/> message.</summary>
    public JsonRpcErrorCode InvalidCode;
}

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// Thrown to every caller waiting on a response when the connection ends, and to every later caller.
/// The message is the first reason the connection broke (peer closed, line too long, write failed...).
/// </summary>
public sealed class JsonRpcConnectionLostException : Exception
{
    /// <summary>Creates the exception with the reason the connection ended.</summary>
    public JsonRpcConnectionLostException(string reason, Exception? innerException = null)
        : base($"The JSON-RPC connection is closed: {reason}", innerException)
    {
        Reason = reason;
    }

    /// <summary>Why the connection ended, in a few words.</summary>
    public string Reason { get; }
}

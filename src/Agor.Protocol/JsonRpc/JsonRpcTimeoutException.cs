namespace Agor.Protocol.JsonRpc;

/// <summary>Thrown when a request's response did not arrive within its timeout. The connection stays up.</summary>
public sealed class JsonRpcTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for a method and the timeout that ran out.</summary>
    public JsonRpcTimeoutException(string method, TimeSpan timeout)
        : base($"No response to '{method}' within {timeout.TotalMilliseconds:0} ms.")
    {
        Method = method;
        Timeout = timeout;
    }

    /// <summary>The method that went unanswered.</summary>
    public string Method { get; }

    /// <summary>The timeout that ran out.</summary>
    public TimeSpan Timeout { get; }
}

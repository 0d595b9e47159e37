namespace Agor.Executor.Agents.Codex;

/// <summary>The app-server answered one of our requests with a JSON-RPC error, or ended before it answered.</summary>
internal sealed class CodexRpcException(string method, int code, string message)
    : Exception($"{method}: {message} (code {code})")
{
    /// <summary>The code the server gave; 0 when the server exited first.</summary>
    public int Code { get; } = code;

    public string Method { get; } = method;
}

namespace Agor.Protocol.JsonRpc;

/// <summary>Settings of one <see cref="JsonRpcPeer"/>.</summary>
public sealed record JsonRpcPeerOptions
{
    /// <summary>The default maximum line length: 8 MiB.</summary>
    public const int DefaultMaxLineBytes = 8 * 1024 * 1024;

    /// <summary>A line longer than this closes the connection. Default 8 MiB.</summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    /// <summary>Timeout of a request made without an explicit one. Default: none.</summary>
    public TimeSpan DefaultRequestTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>A name for the connection in logs (for example the executor id).</summary>
    public string Name { get; init; } = "jsonrpc";
}

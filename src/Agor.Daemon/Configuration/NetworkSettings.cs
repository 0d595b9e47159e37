namespace Agor.Daemon.Configuration;

/// <summary><c>network:</c> the model gateway's listener, and the egress proxy the agent's HTTP(S) traffic goes through and what it lets out.</summary>
internal sealed record NetworkSettings
{
    /// <summary>The gateway's loopback port for unconfined agents; 0 (the default) picks a free one. Never the API port.</summary>
    public int GatewayPort { get; init; }

    /// <summary>The largest model request body the gateway forwards; larger ones get 413.</summary>
    public long GatewayMaxRequestBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>
    /// The egress proxy's port on 127.0.0.1, which unconfined agents are given; 0 picks a free one.
    /// Sandboxed agents reach the proxy over a Unix socket instead (see <c>AgentNetwork</c>).
    /// </summary>
    public int ProxyPort { get; init; }

    /// <summary>Hosts the proxy lets through: <c>host</c>, <c>host:port</c>, <c>*.example.com</c>, an IP or CIDR, each with an optional port.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>The largest request head (request line and headers) the proxy reads; a larger one gets 431.</summary>
    public int MaxHeadBytes { get; init; } = 16 * 1024;

    /// <summary>How many proxy connections one task may hold open at once; one more gets 429.</summary>
    public int MaxConnectionsPerTask { get; init; } = 64;

    /// <summary>How many proxy connections the daemon holds open at once, across tasks (unauthenticated ones included).</summary>
    public int MaxConnections { get; init; } = 512;

    /// <summary>A connection with no byte either way for this long is closed; also the bound on reading the head.</summary>
    public int IdleTimeoutMs { get; init; } = 60_000;

    /// <summary>How long resolving a name and connecting to the upstream may take.</summary>
    public int ConnectTimeoutMs { get; init; } = 10_000;
}

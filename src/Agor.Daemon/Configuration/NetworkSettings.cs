namespace Agor.Daemon.Configuration;

/// <summary><c>network:</c> the model gateway's listener (issue 11).</summary>
internal sealed record NetworkSettings
{
    /// <summary>The gateway's loopback port; 0 (the default) picks a free one. Never the API port.</summary>
    public int GatewayPort { get; init; }

    /// <summary>The largest model request body the gateway forwards; larger ones get 413.</summary>
    public long GatewayMaxRequestBytes { get; init; } = 32L * 1024 * 1024;
}

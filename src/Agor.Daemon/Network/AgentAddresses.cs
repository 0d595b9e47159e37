namespace Agor.Daemon.Network;

/// <summary>
/// Where one task's agent finds its two ways out: the model gateway's base URL (null when the daemon
/// runs no gateway) and the egress proxy's <c>host:port</c>, both as seen from where the agent runs,
/// and the hosts it must reach without the proxy (the gateway's).
/// </summary>
internal sealed record AgentAddresses(string? ModelBaseUrl, string ProxyHostPort, IReadOnlyList<string> NoProxy);

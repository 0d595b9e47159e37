using Agor.Daemon.Egress;

namespace Agor.Daemon.Configuration;

/// <summary>Reads and validates the <c>network:</c> section; every bad value is named by its key.</summary>
internal static class NetworkConfigReader
{
    public static NetworkSettings Read(YamlSection section, int apiPort, List<string> problems)
    {
        var defaults = new NetworkSettings();
        var settings = new NetworkSettings
        {
            GatewayPort = (int)section.Integer("gateway_port", defaults.GatewayPort, 0, 65535),
            GatewayMaxRequestBytes = section.Integer("gateway_max_request_bytes", defaults.GatewayMaxRequestBytes, 1024, 1L << 32),
            ProxyPort = (int)section.Integer("proxy_port", defaults.ProxyPort, 0, 65535),
            AllowedHosts = section.StringList("allowed_hosts", defaults.AllowedHosts),
            MaxHeadBytes = (int)section.Integer("max_head_bytes", defaults.MaxHeadBytes, 512, 1 << 20),
            MaxConnectionsPerTask = (int)section.Integer("max_connections_per_task", defaults.MaxConnectionsPerTask, 1, 100_000),
            MaxConnections = (int)section.Integer("max_connections", defaults.MaxConnections, 1, 1_000_000),
            IdleTimeoutMs = (int)section.Integer("idle_timeout_ms", defaults.IdleTimeoutMs, 100, 86_400_000),
            ConnectTimeoutMs = (int)section.Integer("connect_timeout_ms", defaults.ConnectTimeoutMs, 100, 600_000),
        };
        section.RejectUnknownKeys();
        if (settings.GatewayPort != 0 && settings.GatewayPort == apiPort)
        {
            problems.Add($"network.gateway_port: must not be the API port (daemon.port = {apiPort})");
        }

        if (settings.ProxyPort != 0 && (settings.ProxyPort == apiPort || settings.ProxyPort == settings.GatewayPort))
        {
            problems.Add($"network.proxy_port: must be neither the API port nor the gateway's ({settings.ProxyPort})");
        }

        foreach (var entry in settings.AllowedHosts)
        {
            try
            {
                _ = AllowedHost.Parse(entry);
            }
            catch (FormatException ex)
            {
                problems.Add($"network.allowed_hosts: {ex.Message}");
            }
        }

        return settings;
    }
}

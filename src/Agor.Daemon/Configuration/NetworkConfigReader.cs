using Agor.Daemon.Egress;

namespace Agor.Daemon.Configuration;

/// <summary>Reads and validates the <c>network:</c> section; every bad value is named by its key.</summary>
internal static class NetworkConfigReader
{
    public static NetworkSettings Read(YamlSection section, List<string> problems)
    {
        var defaults = new NetworkSettings();
        var settings = new NetworkSettings
        {
            ProxyEnabled = section.Bool("proxy_enabled", defaults.ProxyEnabled),
            ProxyPort = (int)section.Integer("proxy_port", defaults.ProxyPort, 0, 65535),
            AllowedHosts = section.StringList("allowed_hosts", defaults.AllowedHosts),
            MaxHeadBytes = (int)section.Integer("max_head_bytes", defaults.MaxHeadBytes, 512, 1 << 20),
            MaxConnectionsPerTask = (int)section.Integer("max_connections_per_task", defaults.MaxConnectionsPerTask, 1, 100_000),
            MaxConnections = (int)section.Integer("max_connections", defaults.MaxConnections, 1, 1_000_000),
            IdleTimeoutMs = (int)section.Integer("idle_timeout_ms", defaults.IdleTimeoutMs, 100, 86_400_000),
            ConnectTimeoutMs = (int)section.Integer("connect_timeout_ms", defaults.ConnectTimeoutMs, 100, 600_000),
        };
        section.RejectUnknownKeys();

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

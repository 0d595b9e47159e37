using Agor.Daemon.Configuration;

namespace Agor.Daemon.Tests.Egress;

/// <summary>The <c>network:</c> section: nothing allowed by default, every key read, bad entries refused by name.</summary>
public sealed class NetworkConfigTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void Defaults_AllowNothing()
    {
        var network = ConfigLoader.Parse(string.Empty, "/h", NoEnvironment).Network;
        Assert.Empty(network.AllowedHosts);
        Assert.Equal((0, 16 * 1024, 64), (network.ProxyPort, network.MaxHeadBytes, network.MaxConnectionsPerTask));
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        const string Yaml = """
            network:
              proxy_port: 3128
              allowed_hosts: [registry.npmjs.org, "*.github.com:443", 10.0.0.0/8]
              max_head_bytes: 4096
              max_connections_per_task: 8
              max_connections: 100
              idle_timeout_ms: 5000
              connect_timeout_ms: 2000
            """;
        var network = ConfigLoader.Parse(Yaml, "/h", NoEnvironment).Network;
        Assert.Equal((3128, 4096, 8, 100, 5000, 2000), (network.ProxyPort, network.MaxHeadBytes, network.MaxConnectionsPerTask, network.MaxConnections, network.IdleTimeoutMs, network.ConnectTimeoutMs));
        Assert.Equal(["registry.npmjs.org", "*.github.com:443", "10.0.0.0/8"], network.AllowedHosts);
    }

    [Theory]
    [InlineData("allowed_hosts: [\"bad host\"]", "network.allowed_hosts")]
    [InlineData("allowed_hosts: [\"example.com:99999\"]", "network.allowed_hosts")]
    [InlineData("proxy_port: 70000", "network.proxy_port")]
    [InlineData("max_head_bytes: 10", "network.max_head_bytes")]
    [InlineData("surprise: 1", "network.surprise")]
    [InlineData("proxy_enabled: false", "network.proxy_enabled")]
    public void BadValues_AreRefusedByName(string line, string key)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("network:\n  " + line, "/h", NoEnvironment));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}

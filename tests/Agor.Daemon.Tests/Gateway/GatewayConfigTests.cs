using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>The gateway's keys: network.gateway_port, network.gateway_max_request_bytes and the cost caps in limits.</summary>
public sealed class GatewayConfigTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void Defaults_AreAnEphemeralPortAndNoCaps_AndTheTemplateSpellsEachKey()
    {
        var config = ConfigLoader.Parse(string.Empty, "/h", NoEnvironment);

        Assert.Equal(new NetworkSettings(), config.Network);
        Assert.Equal(0, config.Network.GatewayPort);
        Assert.Equal(0, config.Limits.MaxCostUsdPerTask);
        Assert.Equal(0, config.Limits.MaxCostUsdPerSession);
        var template = ConfigLoader.Parse(ConfigTemplate.Text, "/h", NoEnvironment);
        Assert.Equal(config.Network, template.Network);
        Assert.Equal(config.Limits, template.Limits);
        foreach (var key in new[] { "gateway_port", "gateway_max_request_bytes", "max_cost_usd_per_task", "max_cost_usd_per_session" })
        {
            Assert.Contains("  " + key + ":", ConfigTemplate.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        const string Yaml = """
            network:
              gateway_port: 4040
              gateway_max_request_bytes: 2048
            limits:
              max_cost_usd_per_task: 0.25
              max_cost_usd_per_session: 10
            """;
        var config = ConfigLoader.Parse(Yaml, "/h", NoEnvironment);

        Assert.Equal(new NetworkSettings { GatewayPort = 4040, GatewayMaxRequestBytes = 2048 }, config.Network);
        Assert.Equal(0.25, config.Limits.MaxCostUsdPerTask);
        Assert.Equal(10, config.Limits.MaxCostUsdPerSession);
    }

    [Theory]
    [InlineData("daemon:\n  port: 4040\nnetwork:\n  gateway_port: 4040", "network.gateway_port: must not be the API port")]
    [InlineData("network:\n  gateway_port: 70000", "network.gateway_port: must be between 0 and 65535")]
    [InlineData("network:\n  gateway_max_request_bytes: 10", "network.gateway_max_request_bytes: must be between")]
    [InlineData("network:\n  proxy: yes", "network.proxy: unknown key")]
    [InlineData("limits:\n  max_cost_usd_per_task: -1", "limits.max_cost_usd_per_task: must be between 0 and")]
    [InlineData("limits:\n  max_cost_usd_per_session: lots", "limits.max_cost_usd_per_session: must be a number")]
    [InlineData("limits:\n  max_cost_usd_per_task: .nan", "limits.max_cost_usd_per_task: must be a number")]
    public void BadValues_AreRefusedWithTheKeyNamed(string yaml, string problem)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "/h", NoEnvironment));
        Assert.Contains(ex.Problems, p => p.StartsWith(problem, StringComparison.Ordinal));
    }
}

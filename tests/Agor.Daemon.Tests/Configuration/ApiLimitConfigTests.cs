using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Daemon.Tests.Configuration;

/// <summary>The daemon keys that bound the HTTP API and its event stream.</summary>
public sealed class ApiLimitConfigTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void Defaults_AreTheDocumentedOnes_AndTheTemplateSpellsEachKey()
    {
        var daemon = ConfigLoader.Parse(string.Empty, "/home/u/.agor", NoEnvironment).Daemon;

        Assert.Equal(4096, daemon.SseClientQueueEvents);
        Assert.Equal(8L * 1024 * 1024, daemon.SseClientQueueBytes);
        Assert.Equal(16L * 1024 * 1024, daemon.MaxRequestBodyBytes);
        Assert.Equal(512, daemon.MaxTitleLength);
        Assert.Equal(100, daemon.ListLimitDefault);
        Assert.Equal(1000, daemon.ListLimitMax);
        Assert.Equal(daemon, ConfigLoader.Parse(ConfigTemplate.Text, "/home/u/.agor", NoEnvironment).Daemon);
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        const string Yaml = """
            daemon:
              sse_client_queue_events: 100
              sse_client_queue_bytes: 1048576
              max_request_body_bytes: 2048
              max_title_length: 80
              list_limit_default: 10
              list_limit_max: 20
            """;
        var daemon = ConfigLoader.Parse(Yaml, "/home/u/.agor", NoEnvironment).Daemon;

        Assert.Equal(new DaemonSettings
        {
            SseClientQueueEvents = 100,
            SseClientQueueBytes = 1_048_576,
            MaxRequestBodyBytes = 2048,
            MaxTitleLength = 80,
            ListLimitDefault = 10,
            ListLimitMax = 20,
        }, daemon);
    }

    [Theory]
    [InlineData("daemon:\n  sse_client_queue_bytes: 10", "daemon.sse_client_queue_bytes: must be between 65536 and")]
    [InlineData("daemon:\n  sse_client_queue_events: 0", "daemon.sse_client_queue_events: must be between 16 and")]
    [InlineData("daemon:\n  max_request_body_bytes: lots", "daemon.max_request_body_bytes: must be a whole number")]
    [InlineData("daemon:\n  max_title_length: 0", "daemon.max_title_length: must be between 1 and")]
    [InlineData("daemon:\n  list_limit_default: 50\n  list_limit_max: 20", "daemon.list_limit_default: must not exceed daemon.list_limit_max (20)")]
    public void BadValues_AreRejectedNamingTheKey(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "/home/u/.agor", NoEnvironment));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

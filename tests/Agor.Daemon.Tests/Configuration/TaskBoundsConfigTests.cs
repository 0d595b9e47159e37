using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Daemon.Tests.Configuration;

/// <summary>The keys that bound what an executor can make the daemon wait for or store: defaults, reading, validation, template.</summary>
public sealed class TaskBoundsConfigTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void Defaults_AreStatedAndFinite()
    {
        var config = ConfigLoader.Parse(string.Empty, "/h", NoEnvironment);

        Assert.Equal(10_000, config.Execution.RequestTimeoutMs);
        Assert.Equal(5_000, config.Execution.StopGraceMs);
        Assert.Equal(14_400_000, config.Execution.TaskTimeoutMs);
        Assert.Equal(10_000, config.Execution.HeartbeatIntervalMs);
        Assert.Equal(new LimitSettings { MaxMessagesPerTask = 100_000, MaxEventBytes = 4 * 1024 * 1024, MaxStoredBytesPerTask = 256L * 1024 * 1024 }, config.Limits);
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        const string Yaml = """
            execution:
              request_timeout_ms: 1500
              stop_grace_ms: 700
              task_timeout_ms: 0
              heartbeat_interval_ms: 250
            limits:
              max_messages_per_task: 10
              max_event_bytes: 2048
              max_stored_bytes_per_task: 4096
            """;

        var config = ConfigLoader.Parse(Yaml, "/h", NoEnvironment);

        Assert.Equal((1500, 700, 0L, 250), (config.Execution.RequestTimeoutMs, config.Execution.StopGraceMs, config.Execution.TaskTimeoutMs, config.Execution.HeartbeatIntervalMs));
        Assert.Equal(new LimitSettings { MaxMessagesPerTask = 10, MaxEventBytes = 2048, MaxStoredBytesPerTask = 4096 }, config.Limits);
    }

    [Theory]
    [InlineData("execution:\n  request_timeout_ms: 0", "execution.request_timeout_ms")]
    [InlineData("execution:\n  stop_grace_ms: -1", "execution.stop_grace_ms")]
    [InlineData("execution:\n  task_timeout_ms: soon", "execution.task_timeout_ms")]
    [InlineData("execution:\n  heartbeat_interval_ms: -5", "execution.heartbeat_interval_ms")]
    [InlineData("limits:\n  max_messages_per_task: 0", "limits.max_messages_per_task")]
    [InlineData("limits:\n  max_event_bytes: 10", "limits.max_event_bytes")]
    [InlineData("limits:\n  max_stored_bytes_per_task: 1", "limits.max_stored_bytes_per_task")]
    [InlineData("limits:\n  max_messages: 5", "limits.max_messages")]
    public void BadValues_AreRefused_NamingTheKey(string yaml, string key)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "/h", NoEnvironment));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTemplate_ListsEveryKey_AtItsDefault()
    {
        var config = ConfigLoader.Parse(ConfigTemplate.Text, "/h", NoEnvironment);

        Assert.Equal(ConfigLoader.Parse(string.Empty, "/h", NoEnvironment) with { Home = "/h" }, config with { Home = "/h" }, new ConfigComparer());
        foreach (var key in new[] { "request_timeout_ms", "stop_grace_ms", "task_timeout_ms", "heartbeat_interval_ms", "max_messages_per_task", "max_event_bytes", "max_stored_bytes_per_task" })
        {
            Assert.Contains(key + ":", ConfigTemplate.Text, StringComparison.Ordinal);
        }
    }

    private sealed class ConfigComparer : IEqualityComparer<AgorConfig>
    {
        public bool Equals(AgorConfig? x, AgorConfig? y) => x!.Execution == y!.Execution && x.Limits == y.Limits;

        public int GetHashCode(AgorConfig obj) => 0;
    }
}

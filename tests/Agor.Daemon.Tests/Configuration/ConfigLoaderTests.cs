using Agor.Daemon.Configuration;

namespace Agor.Daemon.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void EmptyFile_GivesTheDefaultsOfSpec()
    {
        var config = ConfigLoader.Parse(string.Empty, "/home/u/.agor", NoEnvironment);

        Assert.Equal("127.0.0.1", config.Daemon.Host);
        Assert.Equal(3030, config.Daemon.Port);
        Assert.Equal("agor.db", config.Database.Path);
        Assert.Equal("claude", config.Agents.ClaudeCodePath);
        var execution = config.Execution;
        Assert.False(execution.RunAsUnixUser);
        Assert.Equal("agor_executor", execution.ExecutorUnixUser);
        Assert.Equal(10, execution.MaxExecutors);
        Assert.Equal(0, execution.WarmExecutors);
        Assert.Equal(60_000, execution.IdleTimeoutMs);
        Assert.Equal("/tmp/agor-executor-{id}.sock", execution.SocketPathTemplate);
        Assert.Equal(5_000, execution.ConnectionTimeoutMs);
        Assert.Equal(86_400_000, execution.SessionTokenExpirationMs);
        Assert.Equal(10_000, execution.SessionTokenMaxUses);
        Assert.Equal(300_000, execution.PermissionTimeoutMs);
        Assert.Equal(string.Empty, execution.ExecutorPath);
    }

    [Fact]
    public void EveryExecutionKey_IsRead()
    {
        const string Yaml = """
            execution:
              run_as_unix_user: true
              executor_unix_user: runner
              max_executors: 3
              warm_executors: 2
              idle_timeout_ms: 1000
              socket_path_template: /run/agor/x-{id}.sock
              connection_timeout_ms: 700
              session_token_expiration_ms: 9000
              session_token_max_uses: 5
              permission_timeout_ms: 4000
              executor_path: /opt/agor/agor-executor
            """;

        var execution = ConfigLoader.Parse(Yaml, "/h", NoEnvironment).Execution;

        Assert.Equal(
            new ExecutionSettings
            {
                RunAsUnixUser = true,
                ExecutorUnixUser = "runner",
                MaxExecutors = 3,
                WarmExecutors = 2,
                IdleTimeoutMs = 1000,
                SocketPathTemplate = "/run/agor/x-{id}.sock",
                ConnectionTimeoutMs = 700,
                SessionTokenExpirationMs = 9000,
                SessionTokenMaxUses = 5,
                PermissionTimeoutMs = 4000,
                ExecutorPath = "/opt/agor/agor-executor",
            },
            execution);
    }

    [Theory]
    [InlineData("execution:\n  max_executors: lots", "execution.max_executors: must be a whole number, not 'lots'")]
    [InlineData("execution:\n  max_executors: 0", "execution.max_executors: must be between 1 and 1000, not 0")]
    [InlineData("execution:\n  run_as_unix_user: maybe", "execution.run_as_unix_user: must be true or false, not 'maybe'")]
    [InlineData("execution:\n  socket_path_template: /tmp/fixed.sock", "execution.socket_path_template: must contain {id}")]
    [InlineData("execution:\n  socket_path_template: relative-{id}.sock", "execution.socket_path_template: must be an absolute path")]
    [InlineData("execution:\n  max_executors: 2\n  warm_executors: 3", "execution.warm_executors: must not exceed execution.max_executors (2)")]
    [InlineData("execution:\n  run_as_unix_user: true\n  executor_unix_user: \"bad user; rm\"", "execution.executor_unix_user: 'bad user; rm' is not a valid Unix user name")]
    [InlineData("execution:\n  max_executor: 3", "execution.max_executor: unknown key")]
    [InlineData("execution:\n  max_requests_in_flight: 0", "execution.max_requests_in_flight: must be between 1 and 1000000, not 0")]
    [InlineData("execution:\n  max_batch_size: many", "execution.max_batch_size: must be a whole number, not 'many'")]
    [InlineData("daemon:\n  port: 70000", "daemon.port: must be between 0 and 65535, not 70000")]
    [InlineData("execution: [1, 2]", "execution: must be a mapping of keys")]
    [InlineData("execution:\n  idle_timeout_ms: [1]", "execution.idle_timeout_ms: must be a single value")]
    [InlineData("daemon: {port: 1", "not valid YAML at line 2")]
    public void BadValue_IsRejectedNamingTheKeyAndTheProblem(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "/h", NoEnvironment, "/h/config.yaml"));

        Assert.StartsWith("/h/config.yaml: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralProblems_AreAllReportedAtOnce()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("execution:\n  max_executors: x\n  idle_timeout_ms: -5", "/h", NoEnvironment));

        Assert.Equal(2, error.Problems.Count);
    }

    [Fact]
    public void EnvironmentOverrides_WinOverTheFile()
    {
        var environment = new Dictionary<string, string?>
        {
            ["AGOR_PORT"] = "4040",
            ["AGOR_EXECUTOR_PATH"] = "/x/agor-executor",
            ["AGOR_CLAUDE_PATH"] = "/x/claude",
            ["ANTHROPIC_API_KEY"] = "sk-env",
            ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9",
        };

        var config = ConfigLoader.Parse("daemon:\n  port: 5050\nexecution:\n  executor_path: /file/agor-executor", "/h", environment);

        Assert.Equal(4040, config.Daemon.Port);
        Assert.Equal("/x/agor-executor", config.Execution.ExecutorPath);
        Assert.Equal("/x/claude", config.Agents.ClaudeCodePath);
        Assert.Equal(new ServiceCredential("sk-env", "http://127.0.0.1:9"), config.Credentials.Services["anthropic"]);
    }

    [Fact]
    public void AnthropicKeyInTheFile_IsNotReplacedByTheEnvironment()
    {
        var environment = new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = "sk-env" };

        var config = ConfigLoader.Parse("credentials:\n  anthropic:\n    api_key: sk-file", "/h", environment);

        Assert.Equal("sk-file", config.Credentials.Services["anthropic"].ApiKey);
    }

    [Fact]
    public void BadPortInTheEnvironment_IsRejectedByName()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(string.Empty, "/h", new Dictionary<string, string?> { ["AGOR_PORT"] = "http" }));

        Assert.Contains("AGOR_PORT: must be a port number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_NeverPrintTheKey()
    {
        Assert.DoesNotContain("sk-secret", new ServiceCredential("sk-secret", null).ToString(), StringComparison.Ordinal);
    }
}

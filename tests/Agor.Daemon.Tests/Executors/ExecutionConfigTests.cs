using Agor.Daemon.Configuration;

namespace Agor.Daemon.Tests.Executors;

/// <summary><c>execution.allowed_unix_users</c> and <c>execution.agent_umask</c>: read, defaulted, and refused naming the key.</summary>
public sealed class ExecutionConfigTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void Defaults_NoExtraUsers_AndUmask022()
    {
        var execution = ConfigLoader.Parse(string.Empty, "/h", NoEnvironment).Execution;

        Assert.Empty(execution.AllowedUnixUsers);
        Assert.Equal(Convert.ToInt32("022", 8), execution.AgentUmask);
    }

    [Fact]
    public void Values_AreRead()
    {
        var execution = ConfigLoader.Parse("execution:\n  allowed_unix_users: [alice, bob]\n  agent_umask: \"027\"", "/h", NoEnvironment).Execution;

        Assert.Equal(["alice", "bob"], execution.AllowedUnixUsers);
        Assert.Equal(Convert.ToInt32("027", 8), execution.AgentUmask);
    }

    [Theory]
    [InlineData("execution:\n  allowed_unix_users: [root]", "execution.allowed_unix_users: must never name root")]
    [InlineData("execution:\n  allowed_unix_users: [\"a b\"]", "execution.allowed_unix_users: 'a b' is not a valid Unix user name")]
    [InlineData("execution:\n  allowed_unix_users: alice", "execution.allowed_unix_users: must be a list of values")]
    [InlineData("execution:\n  run_as_unix_user: true\n  executor_unix_user: root", "execution.executor_unix_user: must never be root")]
    [InlineData("execution:\n  agent_umask: \"999\"", "execution.agent_umask: must be an octal umask")]
    [InlineData("execution:\n  agent_umask: \"01000\"", "execution.agent_umask: must be an octal umask")]
    [InlineData("execution:\n  agent_umask: \"\"", "execution.agent_umask: must not be empty")]
    public void BadValue_IsRejectedNamingTheKey(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "/h", NoEnvironment));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

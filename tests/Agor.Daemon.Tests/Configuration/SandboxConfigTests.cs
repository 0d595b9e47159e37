using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Daemon.Tests.Configuration;

/// <summary>The <c>sandbox:</c> section: defaults, reading every key, refusing bad values by name, the template.</summary>
public sealed class SandboxConfigTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void Defaults_AreAutoWithFourGigabytesAnd512Processes()
    {
        var sandbox = ConfigLoader.Parse(string.Empty, "/h", NoEnvironment).Sandbox;

        Assert.Equal(new SandboxSettings(), sandbox);
        Assert.Equal(("auto", "bwrap", "4G", 512L, ""), (sandbox.Mode, sandbox.BwrapPath, sandbox.MemoryMax, sandbox.PidsMax, sandbox.CpuMax));
        Assert.Equal(new Agor.Daemon.Sandbox.ResourceLimits(4L << 30, 512, null) { MemoryMaxText = "4G" }, sandbox.ToResourceLimits());
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        const string Yaml = """
            sandbox:
              mode: required
              bwrap_path: /opt/bwrap
              memory_max: 512M
              pids_max: 64
              cpu_max: "150%"
              read_only: [/opt/tools]
              read_write: [/srv/cache, /var/tmp/x]
              deny: [/srv/secret]
              agent_homes: /var/lib/agor/homes
              home_template: /etc/agor/home
            """;

        var sandbox = ConfigLoader.Parse(Yaml, "/h", NoEnvironment).Sandbox;

        Assert.Equal(("required", "/opt/bwrap", "512M", 64L, "150%"), (sandbox.Mode, sandbox.BwrapPath, sandbox.MemoryMax, sandbox.PidsMax, sandbox.CpuMax));
        Assert.Equal(["/opt/tools"], sandbox.ReadOnly);
        Assert.Equal(["/srv/cache", "/var/tmp/x"], sandbox.ReadWrite);
        Assert.Equal(["/srv/secret"], sandbox.Deny);
        Assert.Equal(("/var/lib/agor/homes", "/etc/agor/home"), (sandbox.AgentHomes, sandbox.HomeTemplate));
        Assert.Equal(new Agor.Daemon.Sandbox.ResourceLimits(512L << 20, 64, 1.5) { MemoryMaxText = "512M" }, sandbox.ToResourceLimits());
    }

    [Fact]
    public void EmptyLimits_MeanNone()
    {
        var sandbox = ConfigLoader.Parse("sandbox:\n  memory_max: \"\"\n  pids_max: 0\n  cpu_max: \"\"", "/h", NoEnvironment).Sandbox;

        Assert.Equal(new Agor.Daemon.Sandbox.ResourceLimits(0, 0, null) { MemoryMaxText = "none" }, sandbox.ToResourceLimits());
    }

    [Theory]
    [InlineData("sandbox:\n  mode: sometimes", "sandbox.mode")]
    [InlineData("sandbox:\n  mode: \"\"", "sandbox.mode")]
    [InlineData("sandbox:\n  memory_max: lots", "sandbox.memory_max")]
    [InlineData("sandbox:\n  memory_max: -4G", "sandbox.memory_max")]
    [InlineData("sandbox:\n  memory_max: 10K", "sandbox.memory_max")]
    [InlineData("sandbox:\n  pids_max: many", "sandbox.pids_max")]
    [InlineData("sandbox:\n  pids_max: -1", "sandbox.pids_max")]
    [InlineData("sandbox:\n  cpu_max: fast", "sandbox.cpu_max")]
    [InlineData("sandbox:\n  cpu_max: \"-50%\"", "sandbox.cpu_max")]
    [InlineData("sandbox:\n  read_only: [relative/dir]", "sandbox.read_only")]
    [InlineData("sandbox:\n  read_write: [./cache]", "sandbox.read_write")]
    [InlineData("sandbox:\n  deny: [secret]", "sandbox.deny")]
    [InlineData("sandbox:\n  agent_homes: homes", "sandbox.agent_homes")]
    [InlineData("sandbox:\n  home_template: template", "sandbox.home_template")]
    [InlineData("sandbox:\n  network: off", "sandbox.network")]
    public void BadValues_AreRefused_NamingTheKey(string yaml, string key)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "/h", NoEnvironment));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_ShowsEveryKeyAtItsDefault()
    {
        Assert.Equal(new SandboxSettings(), ConfigLoader.Parse(ConfigTemplate.Text, "/h", NoEnvironment).Sandbox);
        foreach (var key in new[] { "mode", "bwrap_path", "memory_max", "pids_max", "cpu_max", "read_only", "read_write", "deny", "agent_homes", "home_template" })
        {
            Assert.Contains("  " + key + ":", ConfigTemplate.Text, StringComparison.Ordinal);
        }
    }
}

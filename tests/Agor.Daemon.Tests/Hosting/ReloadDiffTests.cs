using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Daemon.Tests.Hosting;

/// <summary>How a reload names what changed in config.yaml.</summary>
public sealed class ReloadDiffTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = new(StringComparer.Ordinal);

    [Fact]
    public void ChangedKeys_AreNamedAsTheFileNamesThem_ListsByContent_KeysNever()
    {
        var before = ConfigLoader.Parse(
            "credentials:\n  anthropic: { api_key: sk-old-secret }\nagents:\n  claude_code: { path: claude }\nnetwork:\n  allowed_hosts: [example.com]\n",
            "/home", NoEnvironment);
        var after = ConfigLoader.Parse(
            "credentials:\n  anthropic: { api_key: sk-new-secret }\nagents:\n  claude_code: { path: /opt/claude }\nnetwork:\n  allowed_hosts: [example.com]\nexecution:\n  permission_timeout_ms: 1000\n",
            "/home", NoEnvironment);

        var changed = ConfigReloadDiff.ChangedKeys(before, after);

        Assert.Equal(["credentials.anthropic", "agents.claude_code.path", "execution.permission_timeout_ms"], changed);
        Assert.Empty(ConfigReloadDiff.ChangedKeys(before, ConfigLoader.Parse("credentials:\n  anthropic: { api_key: sk-old-secret }\nnetwork:\n  allowed_hosts: [example.com]\n", "/home", NoEnvironment)));
        Assert.DoesNotContain(changed, k => k.Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public void TheLiveKeys_AreKeysTheFileHas()
    {
        var defaults = ConfigLoader.Parse(string.Empty, "/home", NoEnvironment);
        var changedEverywhere = ConfigLoader.Parse(
            "execution:\n  permission_timeout_ms: 1234\nlimits:\n  max_cost_usd_per_task: 1\n  max_cost_usd_per_session: 2\n", "/home", NoEnvironment);

        Assert.Equal(ConfigReloader.Live.Order(StringComparer.Ordinal), ConfigReloadDiff.ChangedKeys(defaults, changedEverywhere).Order(StringComparer.Ordinal));
    }
}

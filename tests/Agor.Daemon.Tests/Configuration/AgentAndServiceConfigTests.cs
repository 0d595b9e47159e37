using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Daemon.Tests.Configuration;

/// <summary>The three agents' paths and the three services' keys, from config.yaml and the environment.</summary>
public sealed class AgentAndServiceConfigTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void Defaults_AreTheCliNamesOnPath_AndNoKeys()
    {
        var config = ConfigLoader.Parse(string.Empty, "/h", NoEnvironment);

        Assert.Equal(("claude", "codex", "gemini"), (config.Agents.PathFor("claude-code"), config.Agents.PathFor("codex"), config.Agents.PathFor("gemini")));
        Assert.Null(config.Agents.PathFor("aider"));
        Assert.Empty(config.Credentials.Services);
    }

    [Fact]
    public void AgentPathsAndServiceCredentials_AreReadFromTheFile()
    {
        var config = ConfigLoader.Parse(
            """
            agents:
              codex:
                path: /opt/codex/bin/codex
              gemini:
                path: /opt/gemini/bin/gemini
            credentials:
              openai:
                api_key: sk-openai-file
                base_url: http://127.0.0.1:9001
              google:
                api_key: AIza-file
            """,
            "/h",
            NoEnvironment);

        Assert.Equal("/opt/codex/bin/codex", config.Agents.PathFor("codex"));
        Assert.Equal("/opt/gemini/bin/gemini", config.Agents.PathFor("gemini"));
        Assert.Equal(new ServiceCredential("sk-openai-file", "http://127.0.0.1:9001"), config.Credentials.Services["openai"]);
        Assert.Equal(new ServiceCredential("AIza-file", null), config.Credentials.Services["google"]);
    }

    [Fact]
    public void TheEnvironment_SetsPathsAlways_AndKeysOnlyForServicesTheFileLeavesOut()
    {
        var environment = new Dictionary<string, string?>
        {
            ["AGOR_CODEX_PATH"] = "/env/codex",
            ["AGOR_GEMINI_PATH"] = "/env/gemini",
            ["OPENAI_API_KEY"] = "sk-openai-env",
            ["OPENAI_BASE_URL"] = "http://127.0.0.1:9002",
            ["GEMINI_API_KEY"] = "AIza-env",
        };

        var config = ConfigLoader.Parse("agents:\n  codex:\n    path: /file/codex\ncredentials:\n  google:\n    api_key: AIza-file", "/h", environment);

        Assert.Equal(("/env/codex", "/env/gemini"), (config.Agents.CodexPath, config.Agents.GeminiPath));
        Assert.Equal(new ServiceCredential("sk-openai-env", "http://127.0.0.1:9002"), config.Credentials.Services["openai"]);
        Assert.Equal("AIza-file", config.Credentials.Services["google"].ApiKey);
        Assert.False(config.Credentials.Services.ContainsKey("anthropic"));
    }

    [Theory]
    [InlineData("agents:\n  codex:\n    colour: blue", "agents.codex.colour")]
    [InlineData("agents:\n  gemini:\n    args: [--yolo]", "agents.gemini.args")]
    [InlineData("agents:\n  aider:\n    path: aider", "agents.aider")]
    [InlineData("credentials:\n  openai:\n    organization: org-1", "credentials.openai.organization")]
    public void UnknownKeys_StayRefused(string yaml, string key)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "/h", NoEnvironment));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheConfigTemplate_DocumentsTheNewKeys_AndParsesToTheDefaults()
    {
        Assert.Contains("codex:\n    path: codex", ConfigTemplate.Text, StringComparison.Ordinal);
        Assert.Contains("gemini:\n    path: gemini", ConfigTemplate.Text, StringComparison.Ordinal);
        Assert.Contains("#   openai:", ConfigTemplate.Text, StringComparison.Ordinal);
        Assert.Contains("#   google:", ConfigTemplate.Text, StringComparison.Ordinal);
        Assert.Contains("GEMINI_API_KEY", ConfigTemplate.Text, StringComparison.Ordinal);

        var config = ConfigLoader.Parse(ConfigTemplate.Text, "/h", NoEnvironment);
        Assert.Equal(new AgentSettings(), config.Agents);
    }

    [Fact]
    public void OnlyTheAgentsInUse_AreChecked_ClaudeAlways()
    {
        var none = ConfigLoader.Parse(string.Empty, "/h", NoEnvironment);
        var keyed = ConfigLoader.Parse("credentials:\n  openai:\n    api_key: sk-o", "/h", NoEnvironment);
        var pathed = ConfigLoader.Parse("agents:\n  gemini:\n    path: /opt/gemini", "/h", NoEnvironment);

        Assert.Equal(["claude-code"], ReadinessChecks.AgentsInUse(none));
        Assert.Equal(["claude-code", "codex"], ReadinessChecks.AgentsInUse(keyed));
        Assert.Equal(["claude-code", "gemini"], ReadinessChecks.AgentsInUse(pathed));
        Assert.Equal("no Gemini API key is configured, so every gemini task fails (no_api_key)", ReadinessChecks.Key(pathed, "google").Detail);
        Assert.True(ReadinessChecks.Key(keyed, "openai").Ok);
    }
}

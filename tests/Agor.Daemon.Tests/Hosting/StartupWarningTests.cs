using System.Text.Json;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Hosting;

/// <summary>The daemon explains itself at start: one warning line naming the fix for what is missing, and the same facts in <c>GET /health</c>.</summary>
public sealed class StartupWarningTests
{
    [Fact(Timeout = 60_000)]
    public async Task NoAgentProgramAndNoKey_OneWarningLineEach_NamingTheFix_AndHealthSaysSo()
    {
        await using var daemon = await DaemonProcess.StartAsync(new DaemonProcessOptions { ModelBaseUrl = "http://127.0.0.1:9", ClaudePath = "/nonexistent/claude", ApiKey = null });

        var checks = await ChecksAsync(daemon);

        Assert.Single(Lines(daemon.Log, "the agent program '/nonexistent/claude' was not found; fix: install Claude Code"));
        Assert.Single(Lines(daemon.Log, "no Anthropic API key is configured, so every task fails (no_api_key); fix: set credentials.anthropic.api_key in config.yaml"));
        Assert.All(Lines(daemon.Log, "; fix: "), line => Assert.Contains("warn", line, StringComparison.Ordinal));
        Assert.False(checks["agent"].GetProperty("ok").GetBoolean());
        Assert.Contains("install Claude Code", checks["agent"].GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.False(checks["key"].GetProperty("ok").GetBoolean());
        Assert.True(checks["impersonation"].GetProperty("ok").GetBoolean());
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task AgentProgramAndKeyPresent_NoWarningForThem_AndHealthSaysOk()
    {
        var claude = ClaudeCli.Require();
        var options = new DaemonProcessOptions { ModelBaseUrl = "http://127.0.0.1:9", ClaudePath = claude };
        await using var daemon = await DaemonProcess.StartAsync(options);

        var checks = await ChecksAsync(daemon);

        Assert.Empty(Lines(daemon.Log, "agent program"));
        Assert.Empty(Lines(daemon.Log, "API key is configured"));
        Assert.Single(Lines(daemon.Log, "checks: agent ok; key ok; impersonation ok; sandbox "));
        Assert.True(checks["agent"].GetProperty("ok").GetBoolean());
        Assert.Contains(claude, checks["agent"].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(checks["key"].GetProperty("ok").GetBoolean());
        Assert.DoesNotContain(options.ApiKey!, JsonSerializer.Serialize(checks), StringComparison.Ordinal);
    }

    private static List<string> Lines(string log, string text) =>
        [.. log.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal))];

    private static async Task<Dictionary<string, JsonElement>> ChecksAsync(DaemonProcess daemon)
    {
        using var health = JsonDocument.Parse(await daemon.Http.GetStringAsync(new Uri("/health", UriKind.Relative)));
        return health.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone(), StringComparer.Ordinal);
    }
}

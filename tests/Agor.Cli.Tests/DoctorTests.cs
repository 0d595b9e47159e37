using Agor.Cli.Tests.Support;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Cli.Tests;

/// <summary>
/// <c>agor doctor</c> against a running daemon: on this machine with everything it passes every
/// check; with one thing missing (the agent program, the key, bubblewrap) exactly that check fails,
/// with its fix on the next line, and the exit code says so.
/// </summary>
public sealed class DoctorTests
{
    [SkippableFact(Timeout = 120_000)]
    public async Task Doctor_WithEverything_PassesEveryCheck_AndExitsZero()
    {
        Bubblewrap.Require();
        await using var harness = await CliHarness.StartAsync(startDaemon: false);
        var port = FreePort();
        harness.Home.Environment["AGOR_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await harness.Home.RunCheckedAsync("daemon", "start");

        var doctor = await harness.Home.RunAsync("doctor");

        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        var lines = CheckLines(doctor);
        Assert.All(lines, line => Assert.StartsWith("✓", line, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ daemon", StringComparison.Ordinal) && l.Contains("version", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ agent", StringComparison.Ordinal) && l.Contains("(Claude Code)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ key", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ bubblewrap", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ seccomp", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ network namespace", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ database", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ port", StringComparison.Ordinal) && l.Contains($"{port} is ours", StringComparison.Ordinal));
        Assert.EndsWith("everything the configuration needs is here", doctor.Stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Doctor_AgentProgramMissing_FailsTheAgentCheckWithTheFix()
    {
        Bubblewrap.Require();
        await using var harness = await CliHarness.StartAsync(o => o with { ClaudePath = "/nonexistent/claude" });

        var doctor = await harness.Home.RunAsync("doctor");

        AssertOnlyFailure(doctor, "agent", "the agent program '/nonexistent/claude' was not found", "fix: install Claude Code");
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Doctor_KeyMissing_FailsTheKeyCheckWithTheFix_AndDaemonStatusWarnsToo()
    {
        Bubblewrap.Require();
        await using var harness = await CliHarness.StartAsync(o => o with { ApiKey = null });

        var doctor = await harness.Home.RunAsync("doctor");
        var status = await harness.Home.RunCheckedAsync("daemon", "status");

        AssertOnlyFailure(doctor, "key", "no Anthropic API key is configured", "fix: set credentials.anthropic.api_key in config.yaml");
        Assert.Contains("WARNING: no Anthropic API key is configured, so every task fails (no_api_key); fix: set credentials.anthropic.api_key in config.yaml", status, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING: the agent program", status, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Doctor_BwrapMissing_FailsTheBubblewrapCheckWithTheFix()
    {
        Bubblewrap.Require();
        await using var harness = await CliHarness.StartAsync(o => o with { Sandbox = ["bwrap_path: /nonexistent/bwrap"] });

        var doctor = await harness.Home.RunAsync("doctor");

        AssertOnlyFailure(doctor, "bubblewrap", "bubblewrap was not found at '/nonexistent/bwrap'", "fix: install it (Debian/Ubuntu: apt-get install bubblewrap) or set sandbox.bwrap_path");
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Doctor_WithAnOpenAiKey_ChecksCodexAndItsKey_TooAndPassesThem()
    {
        Bubblewrap.Require();
        var codex = LocalCli("codex");
        await using var harness = await CliHarness.StartAsync();
        harness.Home.Environment["OPENAI_API_KEY"] = "sk-openai-doctor-spec";
        harness.Home.Environment["AGOR_CODEX_PATH"] = codex;

        var doctor = await harness.Home.RunAsync("doctor");

        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        var lines = CheckLines(doctor);
        Assert.Contains(lines, l => l.StartsWith("✓ agent-codex ", StringComparison.Ordinal) && l.Contains("codex-cli", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ key-openai ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("gemini", StringComparison.Ordinal) || l.Contains("key-google", StringComparison.Ordinal));
        Assert.DoesNotContain("sk-openai-doctor-spec", doctor.Stdout + doctor.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Doctor_GeminiPathSetButNoGoogleKey_FailsOnlyTheGoogleKeyCheckWithTheFix()
    {
        Bubblewrap.Require();
        var gemini = LocalCli("gemini");
        await using var harness = await CliHarness.StartAsync();
        harness.Home.Environment["AGOR_GEMINI_PATH"] = gemini;

        var doctor = await harness.Home.RunAsync("doctor");

        AssertOnlyFailure(doctor, "key-google", "no Gemini API key is configured, so every gemini task fails (no_api_key)", "fix: set credentials.google.api_key in config.yaml, or GEMINI_API_KEY");
        Assert.Contains(CheckLines(doctor), l => l.StartsWith("✓ agent-gemini ", StringComparison.Ordinal));
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Doctor_CodexPathMissing_FailsTheCodexAgentCheckWithTheFix()
    {
        Bubblewrap.Require();
        await using var harness = await CliHarness.StartAsync();
        harness.Home.Environment["OPENAI_API_KEY"] = "sk-openai-doctor-spec";
        harness.Home.Environment["AGOR_CODEX_PATH"] = "/nonexistent/codex";

        var doctor = await harness.Home.RunAsync("doctor");

        AssertOnlyFailure(doctor, "agent-codex", "the agent program '/nonexistent/codex' was not found", "fix: install Codex");
    }

    [Fact(Timeout = 60_000)]
    public async Task Doctor_DaemonNotRunning_SaysHowToStartIt_AndExitsNonZero()
    {
        await using var home = AgorHomeDirectory.CreateEmpty();
        await home.RunCheckedAsync("init");

        var doctor = await home.RunAsync("doctor");

        Assert.Equal(1, doctor.ExitCode);
        var lines = doctor.Stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
        var daemon = lines.FindIndex(l => l.StartsWith("✗ daemon", StringComparison.Ordinal));
        Assert.True(daemon >= 0, doctor.ToString());
        Assert.EndsWith("fix: agor daemon start", lines[daemon + 1], StringComparison.Ordinal);
    }

    /// <summary>The checkout's pinned CLI (node_modules/.bin), or a skip when there is none.</summary>
    private static string LocalCli(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "node_modules", ".bin", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Skip.If(!Agor.Testing.Support.Isolation.Required, $"node_modules/.bin/{name} is not installed (npm ci)");
        throw new InvalidOperationException($"node_modules/.bin/{name} is not installed, and AGOR_REQUIRE_ISOLATION_TESTS=1 allows no skip");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static List<string> CheckLines(CliResult result) =>
        [.. result.Stdout.Split('\n').Where(l => l.StartsWith('✓') || l.StartsWith('✗'))];

    private static void AssertOnlyFailure(CliResult doctor, string check, string detail, string fix)
    {
        Assert.True(doctor.ExitCode == 1, doctor.ToString());
        var lines = doctor.Stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
        var failed = lines.Where(l => l.StartsWith('✗')).ToList();
        var only = Assert.Single(failed);
        Assert.StartsWith($"✗ {check} ", only, StringComparison.Ordinal);
        Assert.Contains(detail, only, StringComparison.Ordinal);
        Assert.Contains(fix, lines[lines.IndexOf(only) + 1], StringComparison.Ordinal);
        Assert.EndsWith($"1 of {CheckLines(new CliResult(0, doctor.Stdout, string.Empty)).Count} checks failed", doctor.Stdout.TrimEnd(), StringComparison.Ordinal);
    }
}

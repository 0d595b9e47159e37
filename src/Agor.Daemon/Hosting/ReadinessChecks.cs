using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Agor.Daemon.Sandbox;
using Agor.Protocol.Wire;

namespace Agor.Daemon.Hosting;

/// <summary>The checks the daemon and <c>agor doctor</c> share, each from what is configured and found.</summary>
internal static class ReadinessChecks
{
    public const string SudoFix = "run `sudo agor setup-executor-isolation`, or set execution.run_as_unix_user: false";

    /// <summary>
    /// The agents worth checking: Claude Code always (the default agent), Codex and Gemini once their
    /// service has a key or their path is set to something other than the default.
    /// </summary>
    public static IReadOnlyList<string> AgentsInUse(AgorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return [.. AgentSettings.Names.Where(agent => agent == AgentSettings.ClaudeCode || config.Agents.PathConfigured(agent) || HasKey(config, AgentSettings.ServiceFor(agent)!))];
    }

    /// <summary>The check's name: <c>agent</c> and <c>key</c> for Claude Code, as before there were others; <c>agent-codex</c>, <c>key-openai</c>, ... for the rest.</summary>
    public static string AgentCheckName(string agent) => agent == AgentSettings.ClaudeCode ? "agent" : $"agent-{agent}";

    public static string KeyCheckName(string service) => service == "anthropic" ? "key" : $"key-{service}";

    /// <summary>The agent program found, or not (its version is <c>agor doctor</c>'s to ask).</summary>
    public static ReadinessCheck Agent(AgorConfig config, string? searchPath, string agent = AgentSettings.ClaudeCode)
    {
        ArgumentNullException.ThrowIfNull(config);
        var program = config.Agents.PathFor(agent) ?? throw new ArgumentOutOfRangeException(nameof(agent), agent, "not an agent");
        var name = AgentCheckName(agent);
        return AgentProgram.Resolve(program, searchPath) is { } path
            ? ReadinessCheck.Pass(name, $"{program} found at {path}")
            : ReadinessCheck.Fail(name, $"the agent program '{program}' was not found{(program.Contains('/', StringComparison.Ordinal) ? string.Empty : " on PATH")}", InstallFix(agent));
    }

    public static string InstallFix(string agent) => agent switch
    {
        AgentSettings.Codex => "install Codex (npm install -g @openai/codex) or set agents.codex.path (or AGOR_CODEX_PATH) to it",
        AgentSettings.Gemini => "install the Gemini CLI (npm install -g @google/gemini-cli) or set agents.gemini.path (or AGOR_GEMINI_PATH) to it",
        _ => AgentProgram.InstallFix,
    };

    /// <summary>An Anthropic key configured (never shown).</summary>
    public static ReadinessCheck Key(AgorConfig config) => Key(config, "anthropic");

    /// <summary>A key for <paramref name="service"/> configured (never shown).</summary>
    public static ReadinessCheck Key(AgorConfig config, string service)
    {
        ArgumentNullException.ThrowIfNull(config);
        var (vendor, agent, variable) = service switch
        {
            "openai" => ("OpenAI", AgentSettings.Codex, "OPENAI_API_KEY"),
            "google" => ("Gemini", AgentSettings.Gemini, "GEMINI_API_KEY"),
            _ => ("Anthropic", AgentSettings.ClaudeCode, "ANTHROPIC_API_KEY"),
        };
        var name = KeyCheckName(service);
        if (HasKey(config, service))
        {
            return ReadinessCheck.Pass(name, $"an {vendor} API key is configured");
        }

        var fix = $"set credentials.{service}.api_key in config.yaml, or {variable} in the daemon's environment";
        return service == "anthropic"
            ? ReadinessCheck.Fail(name, "no Anthropic API key is configured, so every task fails (no_api_key)", fix)
            : ReadinessCheck.Fail(name, $"no {vendor} API key is configured, so every {agent} task fails (no_api_key)", fix);
    }

    private static bool HasKey(AgorConfig config, string service) =>
        config.Credentials.Services.TryGetValue(service, out var credential) && !string.IsNullOrEmpty(credential.ApiKey);

    /// <summary>Whether executors run as configured: as another user through sudo, or as the daemon's own.</summary>
    public static ReadinessCheck Impersonation(ExecutionSettings settings, ImpersonationMode mode)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return !settings.RunAsUnixUser
            ? ReadinessCheck.Pass("impersonation", "off (execution.run_as_unix_user: false): executors run as the daemon's user")
            : mode == ImpersonationMode.Sudo
                ? ReadinessCheck.Pass("impersonation", $"executors run as {settings.ExecutorUnixUser} through sudo")
                : ReadinessCheck.Fail("impersonation", $"execution.run_as_unix_user is true, but sudo cannot run the executor as {settings.ExecutorUnixUser}, so executors run as the daemon's user", SudoFix);
    }

    /// <summary>The sandbox as the start-up probe found it.</summary>
    public static ReadinessCheck Sandbox(SandboxStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Mode == SandboxModes.Off
            ? ReadinessCheck.Pass("sandbox", "off (sandbox.mode: off): agents run unconfined by configuration")
            : status.Available
                ? ReadinessCheck.Pass("sandbox", $"agents run confined (bwrap {status.Probe.BwrapVersion}, seccomp, limits {status.LimitsText})")
                : ReadinessCheck.Fail("sandbox", status.Probe.Problem ?? "the sandbox is unavailable", status.Probe.Fix ?? "see `agor doctor`");
    }
}

using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Agor.Daemon.Sandbox;
using Agor.Protocol.Wire;

namespace Agor.Daemon.Hosting;

/// <summary>The checks the daemon and <c>agor doctor</c> share, each from what is configured and found.</summary>
internal static class ReadinessChecks
{
    public const string KeyFix = "set credentials.anthropic.api_key in config.yaml, or ANTHROPIC_API_KEY in the daemon's environment";

    public const string SudoFix = "run `sudo agor setup-executor-isolation`, or set execution.run_as_unix_user: false";

    /// <summary>The agent program found, or not (its version is <c>agor doctor</c>'s to ask).</summary>
    public static ReadinessCheck Agent(AgorConfig config, string? searchPath)
    {
        ArgumentNullException.ThrowIfNull(config);
        var program = config.Agents.ClaudeCodePath;
        return AgentProgram.Resolve(program, searchPath) is { } path
            ? ReadinessCheck.Pass("agent", $"{program} found at {path}")
            : ReadinessCheck.Fail("agent", $"the agent program '{program}' was not found{(program.Contains('/', StringComparison.Ordinal) ? string.Empty : " on PATH")}", AgentProgram.InstallFix);
    }

    /// <summary>An Anthropic key configured (never shown).</summary>
    public static ReadinessCheck Key(AgorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Credentials.Services.TryGetValue("anthropic", out var anthropic) && !string.IsNullOrEmpty(anthropic.ApiKey)
            ? ReadinessCheck.Pass("key", "an Anthropic API key is configured")
            : ReadinessCheck.Fail("key", "no Anthropic API key is configured, so every task fails (no_api_key)", KeyFix);
    }

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

using Agor.Protocol.Wire;

namespace Agor.Testing.Daemon;

/// <summary>How a <see cref="ScriptedDaemon"/> answers the executor.</summary>
public sealed record ScriptedDaemonOptions
{
    public string SessionToken { get; init; } = "tok-" + Guid.NewGuid().ToString("N");

    /// <summary>The agent named in the execution context: <c>claude-code</c>, <c>codex</c> or <c>gemini</c>.</summary>
    public string Agent { get; init; } = "claude-code";

    /// <summary>The agent executable handed out in the execution context.</summary>
    public required string AgentPath { get; init; }

    /// <summary>The key <c>get_api_key</c> returns; null answers -32003.</summary>
    public string? ApiKey { get; init; } = "sk-ant-test-" + Guid.NewGuid().ToString("N")[..12];

    public string? BaseUrl { get; init; }

    public string? Model { get; init; }

    /// <summary>The agent session to resume.</summary>
    public string? AgentSessionId { get; init; }

    /// <summary>Extra environment for the agent. By default: no retries, so API errors surface at once.</summary>
    public IReadOnlyDictionary<string, string>? AgentEnvironment { get; init; } = new Dictionary<string, string> { ["CLAUDE_CODE_MAX_RETRIES"] = "0" };

    /// <summary>Decides permission requests; by default everything is denied.</summary>
    public Func<RequestPermissionParams, Task<PermissionDecision>> DecidePermission { get; init; } =
        _ => Task.FromResult(new PermissionDecision(false, "Denied by the scripted daemon."));

    public IReadOnlyList<string> ExecutorArguments { get; init; } = [];
}

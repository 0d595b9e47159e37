namespace Agor.Executor.Agents;

/// <summary>
/// Runs one kind of agent for one prompt. What differs per agent (its command line, how its key
/// and base URL reach it, its protocol, permissions and usage) lives in its runner's folder; what
/// is common (finding and starting the program confined, its stderr tail, ending its tree) is in
/// <see cref="AgentLaunch"/> and <see cref="AgentProcess"/>. The runner owns the agent's process:
/// when <see cref="RunAsync"/> returns, nothing it started is alive.
/// </summary>
internal interface IAgentRunner
{
    /// <summary>The agent's name in the execution context: <c>claude-code</c>, <c>codex</c>, <c>gemini</c>.</summary>
    string Agent { get; }

    /// <summary>The credentials service whose key (a placeholder, through the gateway) it needs.</summary>
    string Service { get; }

    /// <summary>The environment variables that carry the key and base URL to this agent; the daemon may not set them.</summary>
    IReadOnlyList<string> CredentialVariables { get; }

    /// <summary>Puts the key and the base URL where this agent reads them.</summary>
    void AddCredentials(IDictionary<string, string> environment, string apiKey, string? baseUrl);

    /// <summary>
    /// Runs the prompt to its end and reports what happened. <paramref name="stop"/> asks for a
    /// graceful interrupt (the outcome is then <see cref="AgentOutcome.Interrupted"/> or a result
    /// that came first); the runner escalates to killing the agent's tree after a short grace.
    /// </summary>
    Task<AgentOutcome> RunAsync(AgentRunRequest request, IAgentHost host, CancellationToken stop);
}

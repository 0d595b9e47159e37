namespace Agor.Executor.Agents;

/// <summary>
/// Runs one kind of agent (Claude Code now; Codex and Gemini can follow) for one prompt. The
/// runner owns the agent's process: when <see cref="RunAsync"/> returns, nothing it started is alive.
/// </summary>
internal interface IAgentRunner
{
    /// <summary>
    /// Runs the prompt to its end and reports what happened. <paramref name="stop"/> asks for a
    /// graceful interrupt (the outcome is then <see cref="AgentOutcome.Interrupted"/> or a result
    /// that came first); the runner escalates to killing the agent's tree after a short grace.
    /// </summary>
    Task<AgentOutcome> RunAsync(AgentRunRequest request, IAgentHost host, CancellationToken stop);
}

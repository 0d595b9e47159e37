namespace Agor.Executor.Agents;

/// <summary>The agents this executor can run, by their name in the execution context.</summary>
internal sealed class AgentRunners
{
    private readonly Dictionary<string, IAgentRunner> _byAgent;

    public AgentRunners(IEnumerable<IAgentRunner> runners) =>
        _byAgent = runners.ToDictionary(r => r.Agent, StringComparer.Ordinal);

    /// <summary>Every variable any agent's credentials travel in: none of them may come from the daemon's context.</summary>
    public IReadOnlySet<string> CredentialVariables => _byAgent.Values.SelectMany(r => r.CredentialVariables).ToHashSet(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _byAgent.Keys;

    public IAgentRunner? Find(string agent) => _byAgent.GetValueOrDefault(agent);
}

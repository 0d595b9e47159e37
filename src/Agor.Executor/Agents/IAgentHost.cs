using System.Text.Json;

namespace Agor.Executor.Agents;

/// <summary>What an agent runner may ask of the executor (which relays it to the daemon).</summary>
internal interface IAgentHost
{
    /// <summary>Reports one event of the agent; its sequence number is assigned here, in call order.</summary>
    ValueTask ReportEventAsync(string eventType, JsonElement eventData);

    /// <summary>Reports a non-fatal problem (a malformed line from the agent...).</summary>
    ValueTask ReportErrorAsync(string code, string message);

    /// <summary>
    /// The outcome is known (the agent gave its result) while the agent is still ending: report it
    /// now rather than after the agent's exit. The runner still returns the same outcome when it is done.
    /// </summary>
    Task OutcomeKnownAsync(AgentOutcome outcome);

    /// <summary>Asks the daemon whether a tool may run. Never throws: a failure to ask is a denial.</summary>
    Task<PermissionAnswer> RequestPermissionAsync(string toolName, JsonElement toolInput, string? toolUseId, CancellationToken cancellationToken);
}

/// <summary>The daemon's answer to a permission request.</summary>
internal sealed record PermissionAnswer(bool Approved, string? Reason);

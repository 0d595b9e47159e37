namespace Agor.Executor.Agents;

/// <summary>Everything a runner needs to start the agent for one prompt.</summary>
internal sealed record AgentRunRequest
{
    public required string AgentPath { get; init; }

    public required string Prompt { get; init; }

    public required string WorkingDirectory { get; init; }

    public required string PermissionMode { get; init; }

    public IReadOnlyList<string> Tools { get; init; } = [];

    public string? Model { get; init; }

    public string? ResumeSessionId { get; init; }

    /// <summary>The agent process's whole environment, the API key included. Never logged.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
}

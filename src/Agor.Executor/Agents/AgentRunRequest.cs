namespace Agor.Executor.Agents;

/// <summary>Everything a runner needs to start the agent for one prompt.</summary>
internal sealed record AgentRunRequest
{
    public required string AgentPath { get; init; }

    public required string Prompt { get; init; }

    public required string WorkingDirectory { get; init; }

    public required string PermissionMode { get; init; }

    /// <summary>The tools the agent may use at all (empty: its defaults). Never pre-approval.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Tools the daemon explicitly lets run without asking.</summary>
    public IReadOnlyList<string> PreApprovedTools { get; init; } = [];

    public string? Model { get; init; }

    public string? ResumeSessionId { get; init; }

    /// <summary>Null: unconfined. Otherwise the agent runs inside bubblewrap.</summary>
    public Sandbox.SandboxLaunch? Sandbox { get; init; }

    /// <summary>Cgroups and the process limit the guard applies before starting anything; null: none.</summary>
    public Guard.GuardLimits? Limits { get; init; }

    /// <summary>The agent process's whole environment, the API key included. Never logged.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
}

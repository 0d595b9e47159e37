namespace Agor.Daemon.Domain;

/// <summary>A conversation with one agent in one working directory; its tasks run one at a time.</summary>
internal sealed record Session
{
    public required string Id { get; init; }

    public required string Cwd { get; init; }

    public string Agent { get; init; } = "claude-code";

    public string? Title { get; init; }

    public string PermissionMode { get; init; } = PermissionModes.Default;

    public string? Model { get; init; }

    /// <summary>The Unix user this session's executors run as (sudo mode); null: the configured executor user.</summary>
    public string? UnixUser { get; init; }

    /// <summary>The agent's own session id, resumed by the next task.</summary>
    public string? AgentSessionId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>The permission modes of SPEC.</summary>
internal static class PermissionModes
{
    public const string Default = "default";
    public const string AcceptEdits = "acceptEdits";
    public const string BypassPermissions = "bypassPermissions";
    public const string Plan = "plan";

    public static readonly IReadOnlyList<string> All = [Default, AcceptEdits, BypassPermissions, Plan];
}

namespace Agor.Protocol.Wire;

// The sandbox part of the wire contract (issue 10). The daemon decides the policy and sends it with
// execute_prompt; the executor enforces it and reports, with report_completion, how the agent was
// actually confined. Member names travel as snake_case (see ProtocolJsonContext).

/// <summary>The values of <c>sandbox.mode</c>.</summary>
public static class SandboxModes
{
    /// <summary>Confined where the machine allows it; unconfined, loudly, where it does not.</summary>
    public const string Auto = "auto";

    /// <summary>A task that cannot be confined fails with <c>sandbox_unavailable</c>.</summary>
    public const string Required = "required";

    /// <summary>Never confined.</summary>
    public const string Off = "off";

    public static bool IsKnown(string? mode) => mode is Auto or Required or Off;
}

/// <summary>How the agent of one task is to be confined (<c>execute_prompt.sandbox</c>).</summary>
public sealed record SandboxSpec : Agor.Protocol.JsonRpc.IValidatedParams
{
    /// <summary><c>auto</c>, <c>required</c> or <c>off</c>.</summary>
    public string Mode { get; init; } = SandboxModes.Auto;

    /// <summary>The bubblewrap program: a path, or a name looked up on PATH.</summary>
    public string BwrapPath { get; init; } = "bwrap";

    /// <summary>
    /// Null when the daemon's start-up probe found the sandbox usable here; otherwise what is
    /// missing and how to fix it (the executor then runs unconfined in <c>auto</c>, refuses in
    /// <c>required</c>).
    /// </summary>
    public string? Unavailable { get; init; }

    /// <summary>The session's own agent home outside the sandbox; the executor creates it (0700) when missing.</summary>
    public string? AgentHome { get; init; }

    /// <summary>A directory copied into a newly created agent home (for example a CLAUDE.md or settings); null: none.</summary>
    public string? HomeTemplate { get; init; }

    /// <summary>Extra paths visible read-only inside.</summary>
    public IReadOnlyList<string> ReadOnly { get; init; } = [];

    /// <summary>Extra paths writable inside.</summary>
    public IReadOnlyList<string> ReadWrite { get; init; } = [];

    /// <summary>Paths hidden inside (the daemon adds its own AGOR_HOME and the executor socket's directory to <c>sandbox.deny</c>).</summary>
    public IReadOnlyList<string> Deny { get; init; } = [];

    /// <summary>Cgroup directories (one per v1 controller, or one v2 leaf) the agent's guard joins before bwrap starts; empty: none.</summary>
    public IReadOnlyList<string> CgroupPaths { get; init; } = [];

    /// <summary>The last resort where no cgroup is available: RLIMIT_NPROC for the agent's tree; 0: none.</summary>
    public long RlimitNproc { get; init; }

    /// <summary>The agent's network (issue 11); null: the sandbox shares the host's network, as before.</summary>
    public SandboxNetwork? Network { get; init; }

    /// <inheritdoc />
    public string? Validate() =>
        !SandboxModes.IsKnown(Mode) ? "'sandbox.mode' must be auto, required or off"
        : BwrapPath is null ? "'sandbox.bwrap_path' must be a string"
        : ReadOnly is null || ReadWrite is null || Deny is null || CgroupPaths is null ? "'sandbox' path lists must be arrays of strings"
        : RlimitNproc < 0 ? "'sandbox.rlimit_nproc' must be 0 or more"
        : Network?.Validate();
}

/// <summary>
/// <c>sandbox.network</c>: with <see cref="Isolate"/> the agent gets a network namespace of its own
/// (loopback only, no DNS), and its only ways out are the <see cref="Forwards"/>: a port on the
/// sandbox's loopback bridged to a Unix socket outside.
/// </summary>
public sealed record SandboxNetwork
{
    /// <summary>At most this many forwards.</summary>
    public const int MaxForwards = 16;

    /// <summary>The largest <see cref="MaxConnections"/> accepted.</summary>
    public const int MaxConnectionsLimit = 4096;

    /// <summary>True: a network namespace of its own (<c>bwrap --unshare-net</c>).</summary>
    public bool Isolate { get; init; }

    /// <summary>The ports the sandbox can reach on its loopback, each bridged to a Unix socket outside.</summary>
    public IReadOnlyList<NetworkForward> Forwards { get; init; } = [];

    /// <summary>Connections open at once through all forwards; further ones wait to be accepted.</summary>
    public int MaxConnections { get; init; } = 128;

    /// <summary>Null when valid, otherwise what is wrong.</summary>
    public string? Validate()
    {
        if (Forwards is null || Forwards.Any(f => f is null))
        {
            return "'sandbox.network.forwards' must be an array of { port, socket }";
        }

        if (Forwards.Count > MaxForwards)
        {
            return $"'sandbox.network.forwards' may have at most {MaxForwards} entries";
        }

        if (MaxConnections is < 1 or > MaxConnectionsLimit)
        {
            return $"'sandbox.network.max_connections' must be between 1 and {MaxConnectionsLimit}";
        }

        foreach (var forward in Forwards)
        {
            if (forward.Port is < 1 or > 65535)
            {
                return "'sandbox.network.forwards[].port' must be between 1 and 65535";
            }

            if (string.IsNullOrEmpty(forward.Socket) || !forward.Socket.StartsWith('/') || forward.Socket.Contains('\0', StringComparison.Ordinal))
            {
                return "'sandbox.network.forwards[].socket' must be an absolute path";
            }
        }

        return Forwards.Select(f => f.Port).Distinct().Count() != Forwards.Count ? "'sandbox.network.forwards' names a port twice" : null;
    }
}

/// <summary>One forward: <c>127.0.0.1:<see cref="Port"/></c> inside the sandbox reaches the Unix socket <see cref="Socket"/> outside.</summary>
public sealed record NetworkForward
{
    /// <summary>The TCP port on the sandbox's loopback.</summary>
    public required int Port { get; init; }

    /// <summary>The Unix socket outside (absolute path); the executor's user must be able to connect to it.</summary>
    public required string Socket { get; init; }
}

/// <summary>How the agent of a task was actually confined (<c>report_completion.sandbox</c>, stored with the task).</summary>
public sealed record SandboxReport
{
    /// <summary>True when the agent ran inside bubblewrap.</summary>
    public required bool Confined { get; init; }

    /// <summary><c>bwrap</c>, or <c>none</c>.</summary>
    public string Mechanism { get; init; } = "none";

    /// <summary>The namespaces the agent got: <c>mount</c>, <c>pid</c>, <c>ipc</c>, <c>uts</c>, <c>cgroup</c>, <c>user</c>.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>True when the seccomp filter was installed.</summary>
    public bool Seccomp { get; init; }

    /// <summary>How resources were limited: <c>cgroup</c>, <c>rlimit</c> or <c>none</c>.</summary>
    public string Limits { get; init; } = "none";

    /// <summary>The agent's <c>$HOME</c> inside the sandbox; null when unconfined.</summary>
    public string? Home { get; init; }

    /// <summary>Why the agent was not confined (mode off, or what was missing in auto).</summary>
    public string? Reason { get; init; }
}

using Agor.Protocol.Wire;

namespace Agor.Daemon.Configuration;

/// <summary><c>sandbox:</c> how agents are confined (bubblewrap) and limited (cgroups) per task.</summary>
internal sealed record SandboxSettings
{
    /// <summary><c>auto</c>, <c>required</c> or <c>off</c>.</summary>
    public string Mode { get; init; } = SandboxModes.Auto;

    /// <summary>The bubblewrap program: a path, or a name looked up on PATH.</summary>
    public string BwrapPath { get; init; } = "bwrap";

    /// <summary>The memory limit of a task's agent, as written (<c>4G</c>); empty: none.</summary>
    public string MemoryMax { get; init; } = "4G";

    /// <summary>Processes (and threads) a task's agent may have at once; 0: none.</summary>
    public long PidsMax { get; init; } = 512;

    /// <summary>CPU of a task's agent, as written (<c>200%</c> = two CPUs); empty: none.</summary>
    public string CpuMax { get; init; } = string.Empty;

    public IReadOnlyList<string> ReadOnly { get; init; } = [];

    public IReadOnlyList<string> ReadWrite { get; init; } = [];

    public IReadOnlyList<string> Deny { get; init; } = [];

    /// <summary>Where the per-session agent homes live; empty: the default of the mode (see SandboxPlanner).</summary>
    public string AgentHomes { get; init; } = string.Empty;

    /// <summary>A directory copied into each new agent home; empty: <c>$AGOR_HOME/agent-home-template</c> when it exists.</summary>
    public string HomeTemplate { get; init; } = string.Empty;

    /// <summary>The limits as the limiter takes them (already validated by the loader).</summary>
    public Sandbox.ResourceLimits ToResourceLimits() =>
        new(Sandbox.ResourceLimitParsing.ParseMemory(MemoryMax), PidsMax, Sandbox.ResourceLimitParsing.ParseCpu(CpuMax))
        {
            MemoryMaxText = MemoryMax.Length == 0 ? "none" : MemoryMax,
        };
}

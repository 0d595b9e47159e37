using Agor.Protocol.Wire;

namespace Agor.Daemon.Sandbox;

/// <summary>
/// What the daemon found at start about confining agents here: the configured mode, the
/// executor's probe of bubblewrap and seccomp, and the resource-limit support. The one owner of
/// that knowledge: health, the start-up log and every task's spec read it from here.
/// </summary>
internal sealed record SandboxStatus(string Mode, string BwrapPath, SandboxProbeResult Probe, string ProbedAs, ResourceLimitSupport Limits, long PidsMax)
{
    /// <summary>True when bubblewrap, every namespace and the seccomp filter worked in the probe.</summary>
    public bool Available => Probe.Works;

    /// <summary>Null when available; otherwise what is missing and how to fix it, as the executor is told.</summary>
    public string? Unavailable => Available
        ? null
        : (Probe.Problem ?? "the sandbox probe found bubblewrap unusable") + (Probe.Fix is { Length: > 0 } fix ? $"; fix: {fix}" : string.Empty);

    /// <summary><c>cgroup v1</c>, <c>cgroup v2</c>, <c>rlimit</c> (processes only) or <c>none</c>.</summary>
    public string LimitsText => Limits.Version switch
    {
        "v1" => "cgroup v1",
        "v2" => "cgroup v2",
        _ when PidsMax > 0 => "rlimit",
        _ => "none",
    };

    /// <summary>Present when tasks would run unconfined (auto) or be refused (required).</summary>
    public string? Warning => Available || Mode == SandboxModes.Off
        ? null
        : Mode == SandboxModes.Required
            ? $"sandbox.mode is required but the sandbox is unavailable, so every task is refused (sandbox_unavailable): {Unavailable}"
            : $"agents run UNCONFINED: the sandbox is unavailable ({Unavailable}); set sandbox.mode: required to refuse such tasks";
}

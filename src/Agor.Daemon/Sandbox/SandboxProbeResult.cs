namespace Agor.Daemon.Sandbox;

/// <summary>The line <c>agor-executor --probe-sandbox</c> prints: whether bubblewrap works here, with what.</summary>
internal sealed record SandboxProbeResult
{
    public string? Bwrap { get; init; }

    public string? BwrapVersion { get; init; }

    /// <summary>A bare <c>true</c> ran under bwrap with every namespace and the seccomp filter.</summary>
    public bool Works { get; init; }

    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public bool Seccomp { get; init; }

    public string? Problem { get; init; }

    public string? Fix { get; init; }

    /// <summary>A probe that could not be run or understood.</summary>
    public static SandboxProbeResult Failed(string problem, string? fix = null) => new() { Problem = problem, Fix = fix };
}

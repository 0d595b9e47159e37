using Agor.Executor.Agents;
using Agor.Executor.Guard;
using Agor.Executor.Interop;
using Agor.Protocol.Wire;

namespace Agor.Executor.Sandbox;

/// <summary>How one task's agent is to run, decided from <c>execute_prompt.sandbox</c> before anything starts.</summary>
internal abstract record SandboxDecision(SandboxReport Report)
{
    /// <summary>The cgroups and process limit the daemon asked for: they apply confined or not.</summary>
    public GuardLimits? Limits { get; init; }

    public static SandboxDecision Decide(SandboxSpec? spec, string? searchPath)
    {
        if (spec is null || spec.Mode == SandboxModes.Off)
        {
            return new Unconfined(new SandboxReport { Confined = false, Limits = LimitsOf(spec), Reason = "sandbox.mode is off" }, Warning: null) { Limits = GuardLimitsOf(spec, seccomp: false) };
        }

        var bwrap = ExecutablePath.Resolve(spec.BwrapPath, searchPath);
        var missing = spec.Unavailable
            ?? (bwrap is null ? $"bubblewrap was not found at '{spec.BwrapPath}'; install it (Debian/Ubuntu: apt-get install bubblewrap) or set sandbox.bwrap_path to its path" : null)
            ?? (!SeccompFilter.Supported ? $"there is no seccomp filter for this architecture ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}); only x86_64 and aarch64 are supported" : null);
        if (missing is not null)
        {
            var report = new SandboxReport { Confined = false, Limits = LimitsOf(spec), Reason = missing };
            return spec.Mode == SandboxModes.Required
                ? new Refused($"sandbox.mode is required but the agent cannot be confined: {missing}", report)
                : new Unconfined(report with { Reason = $"sandbox.mode is auto and the sandbox is unavailable: {missing}" }, $"The agent runs UNCONFINED (sandbox.mode auto): {missing}") { Limits = GuardLimitsOf(spec, seccomp: false) };
        }

        var unshareUser = Libc.geteuid() != 0;
        return new Confined(spec, bwrap!, unshareUser, new SandboxReport
        {
            Confined = true,
            Mechanism = "bwrap",
            Namespaces = BwrapLayout.NamespacesFor(unshareUser, spec.Network is { Isolate: true }),
            Seccomp = true,
            Limits = LimitsOf(spec),
            Home = BwrapLayout.InsideHome,
        }) { Limits = GuardLimitsOf(spec, seccomp: true) };
    }

    private static string LimitsOf(SandboxSpec? spec) =>
        spec is null ? "none" : spec.CgroupPaths.Count > 0 ? "cgroup" : spec.RlimitNproc > 0 ? "rlimit" : "none";

    private static GuardLimits? GuardLimitsOf(SandboxSpec? spec, bool seccomp) =>
        spec is null ? null : new GuardLimits(seccomp, spec.CgroupPaths, spec.RlimitNproc);

    /// <summary>The agent runs as before; <paramref name="Warning"/> (auto without a sandbox) is sent as a <c>sandbox_unconfined</c> event first.</summary>
    public sealed record Unconfined(SandboxReport Report, string? Warning) : SandboxDecision(Report);

    /// <summary>The task fails with <c>sandbox_unavailable</c>; the agent is never started.</summary>
    public sealed record Refused(string Message, SandboxReport Report) : SandboxDecision(Report);

    /// <summary>The agent runs inside bubblewrap.</summary>
    public sealed record Confined(SandboxSpec Spec, string BwrapPath, bool UnshareUser, SandboxReport Report) : SandboxDecision(Report)
    {
        /// <summary>The layout for <paramref name="workingDirectory"/> (the program's paths are added at launch).</summary>
        public BwrapLayout LayoutFor(string workingDirectory, string agentHome) => new()
        {
            WorkingDirectory = workingDirectory,
            AgentHome = agentHome,
            ReadOnly = Spec.ReadOnly,
            ReadWrite = Spec.ReadWrite,
            Deny = Spec.Deny,
            PasswdHomes = PasswdHomes.Read(),
            Network = Network.NetworkLayout.For(Spec.Network),
            UnshareUser = UnshareUser,
        };
    }
}

using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;
using Agor.Daemon.Sandbox;
using Agor.Protocol.Wire;

namespace Agor.Cli.Doctor;

/// <summary>
/// The sandbox, from the executor's own <c>--probe-sandbox</c> run as executors will run (through
/// sudo with impersonation): bubblewrap, user namespaces, the AppArmor restriction, seccomp and the
/// network namespace, one line each. The probe stops at the first thing in the way, so the lines
/// after a failed one are left out rather than guessed.
/// </summary>
internal static class SandboxChecks
{
    public static async Task<IReadOnlyList<ReadinessCheck>> RunAsync(SandboxSettings sandbox, string executorPath, string? sudoUser, CancellationToken cancellationToken = default)
    {
        if (sandbox.Mode == SandboxModes.Off)
        {
            return [ReadinessCheck.Pass("sandbox", "off (sandbox.mode: off): agents run unconfined by configuration")];
        }

        var sudo = sudoUser is null ? null : Daemon.Executors.ImpersonationDetector.FindSudo();
        var (probe, probedAs) = await SandboxProbe.RunAsync(executorPath, sandbox.BwrapPath, sudo, sudo is null ? null : sudoUser, SandboxProbe.DefaultTimeout, cancellationToken);
        return From(probe, probedAs);
    }

    /// <summary>The lines for one probe's answer.</summary>
    public static IReadOnlyList<ReadinessCheck> From(SandboxProbeResult probe, string probedAs)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var fix = probe.Fix ?? "see the problem above; `agor-executor --probe-sandbox` prints it as JSON";
        if (probe.Bwrap is null)
        {
            return [ReadinessCheck.Fail("bubblewrap", probe.Problem ?? "bubblewrap was not found", fix)];
        }

        var checks = new List<ReadinessCheck> { ReadinessCheck.Pass("bubblewrap", $"{probe.Bwrap} {probe.BwrapVersion} (probed as {probedAs})".Replace("  ", " ", StringComparison.Ordinal)) };
        if (probe.Works)
        {
            checks.Add(ReadinessCheck.Pass("user namespaces", probe.Namespaces.Contains("user") ? "bwrap makes one for the agent" : "usable (not needed when the executor runs as root)"));
            checks.Add(ReadinessCheck.Pass("AppArmor", AppArmorRestricts() ? "restricts unprivileged user namespaces, but bwrap may make them (its profile is loaded)" : "does not restrict user namespaces"));
            checks.Add(ReadinessCheck.Pass("seccomp", "the filter loads"));
            checks.Add(ReadinessCheck.Pass("network namespace", probe.Namespaces.Contains("net") ? "the agent gets its own (loopback only)" : "usable"));
            return checks;
        }

        var problem = probe.Problem ?? "the sandbox probe found bubblewrap unusable";
        checks.Add(
            problem.StartsWith("kernel.apparmor_restrict", StringComparison.Ordinal) ? ReadinessCheck.Fail("AppArmor", problem, fix)
            : problem.Contains("user namespaces", StringComparison.Ordinal) || problem.Contains("userns", StringComparison.Ordinal) ? ReadinessCheck.Fail("user namespaces", problem, fix)
            : problem.Contains("seccomp", StringComparison.Ordinal) ? ReadinessCheck.Fail("seccomp", problem, fix)
            : problem.Contains("network namespace", StringComparison.Ordinal) ? ReadinessCheck.Fail("network namespace", problem, fix)
            : ReadinessCheck.Fail("sandbox", problem, fix));
        return checks;
    }

    private static bool AppArmorRestricts()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").Trim() == "1";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Sandbox;

/// <summary>
/// Gate for the end-to-end sandbox specs: bubblewrap (and, for the limit specs, the v1 memory and
/// pids controllers; for <c>run_as_unix_user</c>, root and sudo). A missing prerequisite skips the
/// spec with its reason; under AGOR_REQUIRE_ISOLATION_TESTS=1 it fails it, as <see cref="Isolation"/> does.
/// </summary>
internal static class SandboxPrerequisites
{
    public const string Bwrap = "/usr/bin/bwrap";

    /// <summary>bwrap, plus root and sudo when the spec runs executors as another user.</summary>
    public static void Require(bool runAsUnixUser)
    {
        if (runAsUnixUser)
        {
            Isolation.Require();
        }

        Gate(File.Exists(Bwrap) ? null : $"this spec needs bubblewrap at {Bwrap} (apt-get install bubblewrap)");
    }

    /// <summary>As <see cref="Require"/>, plus root (the spec creates a Unix user).</summary>
    public static void RequireRoot(bool runAsUnixUser)
    {
        Require(runAsUnixUser);
        Gate(Isolation.MissingPrerequisite());
    }

    /// <summary>As <see cref="Require"/>, plus cgroup controllers the daemon can use (v1 here and in CI, or a delegated v2 subtree).</summary>
    public static void RequireCgroups(bool runAsUnixUser)
    {
        Require(runAsUnixUser);
        var v1 = Directory.Exists("/sys/fs/cgroup/memory") && Directory.Exists("/sys/fs/cgroup/pids");
        var v2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        Gate(v1 || v2 ? Isolation.MissingPrerequisite() : "this spec needs the memory and pids cgroup controllers (v1 mounts at /sys/fs/cgroup/memory and /sys/fs/cgroup/pids, or cgroup v2)");
    }

    private static void Gate(string? missing)
    {
        if (missing is not null && Isolation.Required)
        {
            throw new InvalidOperationException($"AGOR_REQUIRE_ISOLATION_TESTS=1 but {missing}");
        }

        Skip.If(missing is not null, missing);
    }
}

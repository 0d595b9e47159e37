using Agor.Daemon.Sandbox.Cgroups;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Sandbox.Cgroups;

/// <summary>
/// Gate and helpers for specs on real cgroups: they need root and the v1 memory and pids
/// hierarchies (skipped with the reason where missing; a failure under AGOR_REQUIRE_ISOLATION_TESTS=1).
/// </summary>
internal static class CgroupSpecs
{
    /// <summary>The uid the "executor user" processes of the specs run as (nobody: no user to create or remove).</summary>
    public const int OwnerUid = 65534;

    /// <summary>A uid that owns nothing of any task.</summary>
    public const int StrangerUid = 65533;

    public static IReadOnlyList<CgroupMount> Mounts => CgroupMount.Parse(File.ReadAllText("/proc/self/mounts"));

    public static void RequireV1()
    {
        var missing = MissingV1();
        if (missing is not null && Isolation.Required)
        {
            throw new InvalidOperationException($"AGOR_REQUIRE_ISOLATION_TESTS=1 but {missing}");
        }

        Skip.If(missing is not null, missing);
    }

    /// <summary>A v1 limiter of its own instance (removed with <see cref="RemoveInstance"/>).</summary>
    public static CgroupV1Limiter V1Limiter(string instance, CapturingLogger logger) =>
        new(Mount("memory"), Mount("pids"), CgroupMount.V1For(Mounts, "cpu")?.Path, instance, logger);

    public static string NewInstance() => $"spec-{Guid.NewGuid():N}"[..17];

    public static string Mount(string controller) => CgroupMount.V1For(Mounts, controller)?.Path
        ?? throw new InvalidOperationException($"no v1 {controller} hierarchy");

    /// <summary>Kills what is left in the instance's cgroups and removes them (also after a failed spec).</summary>
    public static async Task RemoveInstanceAsync(string instance)
    {
        foreach (var mount in Mounts.Where(m => !m.IsVersion2 && m.Options.Any(o => o is "memory" or "pids" or "cpu")))
        {
            var root = Path.Combine(mount.Path, "agor", instance);
            if (!Directory.Exists(root))
            {
                continue;
            }

            var logger = new CapturingLogger();
            await CgroupFiles.KillAndRemoveAsync([.. Directory.EnumerateDirectories(root), root], logger);
            _ = CgroupNative.RemoveDirectory(Path.Combine(mount.Path, "agor"), out _);
        }
    }

    /// <summary>A shell as <paramref name="uid"/> that first writes its own pid into each cgroup, as the guard will.</summary>
    public static Task<ProcessResult> RunJoinedAsync(int uid, IEnumerable<string> paths, string script, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync("setpriv", AsUser(uid, JoinScript(paths) + script), cancellationToken: cancellationToken);

    public static string[] AsUser(int uid, string script) =>
        ["--reuid", $"{uid}", "--regid", $"{uid}", "--clear-groups", "--", "/bin/sh", "-c", script];

    public static string JoinScript(IEnumerable<string> paths) =>
        string.Concat(paths.Select(p => $"echo $$ > {p}/cgroup.procs || exit 97\n"));

    private static string? MissingV1()
    {
        if (!Isolation.IsRoot)
        {
            return "this test needs root (to create cgroups)";
        }

        var mounts = Mounts;
        foreach (var controller in new[] { "memory", "pids" })
        {
            if (CgroupMount.V1For(mounts, controller) is not { } mount)
            {
                return $"this test needs the cgroup v1 {controller} hierarchy mounted (it is not in /proc/self/mounts)";
            }

            if (!CgroupNative.CanWrite(mount.Path))
            {
                return $"this test needs to write {mount.Path}";
            }
        }

        return File.Exists("/usr/bin/setpriv") ? null : "this test needs setpriv (util-linux)";
    }
}

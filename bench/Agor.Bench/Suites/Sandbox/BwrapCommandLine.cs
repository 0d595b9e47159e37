using Agor.Bench.Native;

namespace Agor.Bench.Suites.Sandbox;

/// <summary>
/// The bubblewrap command line the executor builds for an agent (issue 10: namespaces, the mount
/// plan in its order, the per-session home), rebuilt here so the bench can time bwrap itself on a
/// bare <c>true</c>. A faithful copy of the executor's flags minus <c>--seccomp</c> (the guard hands
/// bwrap the filter through an inherited memfd, which a bench process cannot pass the same way).
/// </summary>
internal static class BwrapCommandLine
{
    // Passwd homes that are system directories, never masked.
    private static readonly string[] SystemDirectories = ["/", "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/lib", "/etc", "/dev", "/proc", "/sys", "/var", "/nonexistent", "/tmp", "/run"];

    /// <summary>
    /// The arguments after the bwrap program and before <c>--</c>: <paramref name="cwd"/> writable,
    /// <paramref name="agentHome"/> as <c>/home/agent</c>, <paramref name="agentProgram"/>'s install
    /// read-only, <paramref name="deny"/> masked last.
    /// </summary>
    public static IReadOnlyList<string> Build(string cwd, string agentHome, string agentProgram, IReadOnlyList<string> deny, bool isRoot)
    {
        var args = new List<string> { "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup" };
        if (!isRoot)
        {
            args.Add("--unshare-user");
        }

        args.AddRange(["--cap-drop", "ALL", "--hostname", "agor-sandbox"]);
        args.AddRange(["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);
        var shown = ProgramPaths(agentProgram).Append(cwd).ToList();
        Mask(args, "/home");
        Mask(args, "/root");
        Mask(args, "/run");
        if (Directory.Exists("/run/systemd/resolve"))
        {
            args.AddRange(["--ro-bind", "/run/systemd/resolve", "/run/systemd/resolve"]);
        }

        foreach (var home in PasswdHomes().Where(h => !shown.Any(s => IsAncestorOrSelf(h, s))))
        {
            Mask(args, home);
        }

        foreach (var path in ProgramPaths(agentProgram))
        {
            args.AddRange(["--ro-bind", path, path]);
        }

        args.AddRange(["--bind", cwd, cwd, "--bind", agentHome, "/home/agent"]);
        foreach (var gitPath in new[] { Path.Combine(cwd, ".git", "hooks"), Path.Combine(cwd, ".git", "config") }.Where(p => Path.Exists(p)))
        {
            args.AddRange(["--ro-bind", gitPath, gitPath]);
        }

        foreach (var path in deny.Where(p => Path.Exists(p)))
        {
            Mask(args, path);
        }

        args.AddRange(["--chdir", cwd, "--setenv", "HOME", "/home/agent", "--setenv", "TMPDIR", "/tmp"]);
        return args;
    }

    /// <summary>
    /// The agent's install, read-only inside: the outermost node_modules above it (or its directory),
    /// and its real path's directory; each with every symlink resolved (bwrap cannot mount onto a
    /// destination that is a symlink, as a worktree's node_modules may be).
    /// </summary>
    private static IEnumerable<string> ProgramPaths(string program)
    {
        var full = Path.GetFullPath(program);
        var real = RealPath.Of(full);
        return new[] { RealPath.Of(Outermost(full)), Path.GetDirectoryName(real)! }
            .Distinct(StringComparer.Ordinal);
    }

    private static string Outermost(string path)
    {
        var index = path.IndexOf("/node_modules/", StringComparison.Ordinal);
        return index >= 0 ? path[..(index + "/node_modules".Length)] : Path.GetDirectoryName(path)!;
    }

    private static IEnumerable<string> PasswdHomes() =>
        File.ReadLines("/etc/passwd")
            .Select(line => line.Split(':'))
            .Where(fields => fields.Length >= 6)
            .Select(fields => fields[5].TrimEnd('/'))
            .Where(home => home.Length > 0 && !SystemDirectories.Contains(home, StringComparer.Ordinal)
                && !home.StartsWith("/home/", StringComparison.Ordinal) && !home.StartsWith("/run/", StringComparison.Ordinal)
                && home != "/root" && Directory.Exists(home))
            .Distinct(StringComparer.Ordinal);

    private static bool IsAncestorOrSelf(string ancestor, string path) =>
        path == ancestor || path.StartsWith(ancestor + "/", StringComparison.Ordinal);

    private static void Mask(List<string> args, string path)
    {
        if (Directory.Exists(path))
        {
            args.AddRange(["--tmpfs", path]);
        }
        else if (File.Exists(path))
        {
            args.AddRange(["--ro-bind", "/dev/null", path]);
        }
    }
}

namespace Agor.Executor.Sandbox;

/// <summary>
/// The bubblewrap arguments (after the program, before <c>--</c>) for one task. Mounts come in an
/// order where later ones win: the system read-only, a fresh /dev, /proc and /tmp, the masks
/// (homes, /root, /run, agor's run directories), the forwards' sockets, then what the agent must see (its program,
/// <c>read_only</c>, the working directory, <c>read_write</c>, its home), then <c>.git/hooks</c> and
/// <c>.git/config</c> read-only again, and <c>deny</c> last of all.
/// </summary>
internal static class BwrapCommand
{
    /// <summary>Homes that are system directories: never masked (the system must stay usable).</summary>
    private static readonly string[] SystemPrefixes = ["/bin", "/sbin", "/usr", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/dev", "/proc", "/sys", "/run", "/tmp", "/boot", "/nonexistent"];

    private static readonly string[] SystemExact = ["/", "/var", "/home", "/root", "/opt", "/srv", "/mnt", "/media", "/var/empty", "/var/lib", "/var/cache", "/var/spool", "/var/run"];

    /// <summary>The arguments, and the configured paths that were skipped because they do not exist.</summary>
    public static (IReadOnlyList<string> Arguments, IReadOnlyList<string> Skipped) Build(BwrapLayout layout)
    {
        var args = new List<string> { "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup" };
        if (layout.UnshareUser)
        {
            args.Add("--unshare-user");
        }

        // Loopback only: bwrap brings up lo in the new namespace, and there is nothing else.
        if (layout.Network is not null)
        {
            args.Add("--unshare-net");
        }

        args.AddRange(["--cap-drop", "ALL", "--hostname", "agor-sandbox"]);
        args.AddRange(["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);

        // Masks.
        args.AddRange(["--tmpfs", "/home", "--tmpfs", "/root", "--tmpfs", "/run"]);
        // The host's resolver, for an agent that shares the host's network; an isolated one has no DNS at all.
        if (layout.Network is null && Directory.Exists("/run/systemd/resolve"))
        {
            args.AddRange(["--ro-bind", "/run/systemd/resolve", "/run/systemd/resolve"]);
        }

        foreach (var run in AgorRunEntries())
        {
            Mask(args, run);
        }

        // The forwards' sockets, after the /run mask (deny, last, masks them where they really are).
        foreach (var forward in layout.Network?.Forwards ?? [])
        {
            args.AddRange(["--ro-bind", forward.OutsideSocket, forward.InsideSocket]);
        }

        var shown = new[] { layout.WorkingDirectory, layout.AgentHome }.Concat(layout.ProgramPaths).Concat(layout.ReadOnly).Concat(layout.ReadWrite).Select(Normal).ToList();
        foreach (var home in layout.PasswdHomes.Select(Normal).Distinct(StringComparer.Ordinal))
        {
            if (!IsSystemDirectory(home) && !home.StartsWith("/home/", StringComparison.Ordinal) && !home.StartsWith("/root/", StringComparison.Ordinal)
                && !shown.Any(path => IsSameOrUnder(path, home)) && Directory.Exists(home))
            {
                args.AddRange(["--tmpfs", home]);
            }
        }

        // What the agent must see.
        var skipped = new List<string>();
        foreach (var path in layout.ProgramPaths.Select(Normal).Distinct(StringComparer.Ordinal))
        {
            Bind(args, "--ro-bind", path, skipped);
        }

        foreach (var path in layout.ReadOnly)
        {
            Bind(args, "--ro-bind", Normal(path), skipped);
        }

        var cwd = Normal(layout.WorkingDirectory);
        args.AddRange(["--bind", cwd, cwd]);
        foreach (var path in layout.ReadWrite)
        {
            Bind(args, "--bind", Normal(path), skipped);
        }

        args.AddRange(["--bind", Normal(layout.AgentHome), BwrapLayout.InsideHome]);

        // An agent must not plant a hook (or a core.hooksPath, an alias...) that later runs outside.
        var git = Path.Combine(cwd, ".git");
        if (Directory.Exists(git) && !IsSymlink(git))
        {
            var hooks = Path.Combine(git, "hooks");
            if (!Directory.Exists(hooks) && !IsSymlink(hooks))
            {
                Directory.CreateDirectory(hooks);
            }

            args.AddRange(["--ro-bind", hooks, hooks]);
            var config = Path.Combine(git, "config");
            if (File.Exists(config))
            {
                args.AddRange(["--ro-bind", config, config]);
            }
        }

        // Deny wins over everything before it.
        foreach (var path in layout.Deny.Select(Normal))
        {
            if (!Exists(path))
            {
                skipped.Add(path);
                continue;
            }

            Mask(args, path);
        }

        args.AddRange(["--chdir", cwd, "--setenv", "HOME", BwrapLayout.InsideHome, "--setenv", "TMPDIR", "/tmp"]);
        return (args, skipped);
    }

    /// <summary>True for the directories a passwd home may be without being anyone's private files.</summary>
    public static bool IsSystemDirectory(string path) =>
        SystemExact.Contains(path, StringComparer.Ordinal) || SystemPrefixes.Any(prefix => IsSameOrUnder(path, prefix));

    private static void Bind(List<string> args, string kind, string path, List<string> skipped)
    {
        if (!Exists(path))
        {
            skipped.Add(path);
            return;
        }

        args.AddRange([kind, path, path]);
    }

    /// <summary>A directory becomes an empty tmpfs, anything else /dev/null.</summary>
    private static void Mask(List<string> args, string path)
    {
        if (Directory.Exists(path))
        {
            args.AddRange(["--tmpfs", path]);
        }
        else
        {
            args.AddRange(["--ro-bind", "/dev/null", path]);
        }
    }

    private static List<string> AgorRunEntries()
    {
        // Where /var/run is the usual link to /run, the /run mask already hides them.
        if (!Directory.Exists("/var/run") || IsSymlink("/var/run"))
        {
            return [];
        }

        try
        {
            return Directory.EnumerateFileSystemEntries("/var/run", "agor*").Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool Exists(string path) => Directory.Exists(path) || File.Exists(path) || IsSymlink(path);

    private static bool IsSymlink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsSameOrUnder(string path, string directory) =>
        path == directory || path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>
    /// The real path where it exists: bwrap mounts onto the destination inside the new root, where
    /// an absolute symlink on the way would point out of it.
    /// </summary>
    private static string Normal(string path)
    {
        var full = Path.GetFullPath(path);
        full = full.Length > 1 ? full.TrimEnd('/') : full;
        return Interop.Libc.RealPath(full) ?? full;
    }
}

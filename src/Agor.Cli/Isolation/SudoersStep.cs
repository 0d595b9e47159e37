namespace Agor.Cli.Isolation;

/// <summary>
/// The daemon's sudoers file (<c>/etc/sudoers.d/agor-&lt;user&gt;-&lt;home hash&gt;</c>): exactly the daemon's
/// user may run exactly its installed executor (its readiness probe and its real invocation) as the
/// executor user, without a password. Written to a temporary file, checked with <c>visudo -c -f</c>,
/// then moved in place (0440).
/// </summary>
internal static class SudoersStep
{
    /// <summary>The first line of every file a setup writes.</summary>
    public const string Header = "# Written by `agor setup-executor-isolation`";

    private const UnixFileMode ReadOnly0440 = UnixFileMode.UserRead | UnixFileMode.GroupRead;

    public static string Rule(string daemonUser, string executorUser, string executorPath) =>
        $"""
        {Header}; running it again rewrites this file, `--undo` removes it.
        # The Agor daemon ({daemonUser}) may start the executor, and nothing else, as {executorUser}.
        {daemonUser} ALL=({executorUser}) NOPASSWD: {executorPath} --version, {executorPath} --socket *, {executorPath} --probe-sandbox *

        """;

    public static async Task<bool> EnsureAsync(string path, string daemonUser, string executorUser, string executorPath, CancellationToken cancellationToken = default)
    {
        var content = Rule(daemonUser, executorUser, executorPath);
        if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken) == content && File.GetUnixFileMode(path) == ReadOnly0440)
        {
            Console.Out.WriteLine($"sudoers: {path} already allows {daemonUser} to run {executorPath} as {executorUser}");
            return false;
        }

        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);

        // sudo skips files in sudoers.d whose names contain a dot, so the draft is never live.
        var draft = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        await File.WriteAllTextAsync(draft, content, cancellationToken);
        try
        {
            File.SetUnixFileMode(draft, ReadOnly0440);
            var check = await SystemCommand.RunAsync("visudo", ["-c", "-f", draft], cancellationToken);
            if (check.ExitCode != 0)
            {
                throw new CliException($"visudo rejected the rule, so {path} was left as it was: {check.Output.ReplaceLineEndings(" ")}");
            }

            File.Move(draft, path, overwrite: true);
        }
        finally
        {
            File.Delete(draft);
        }

        Console.Out.WriteLine($"sudoers: wrote {path} ({daemonUser} may run {executorPath} as {executorUser} without a password; checked with visudo)");
        return true;
    }

    /// <summary>The other rules a setup wrote in <paramref name="directory"/> that run executors as <paramref name="executorUser"/> (null: any user).</summary>
    public static IReadOnlyList<string> OtherRules(string directory, string exceptPath, string? executorUser)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(directory, IsolationTarget.NamePrefix + "*")
            .Where(p => p != exceptPath && !Path.GetFileName(p).Contains('.', StringComparison.Ordinal))
            .Where(p => File.ReadAllText(p) is var text && text.StartsWith(Header, StringComparison.Ordinal)
                && (executorUser is null || text.Contains($" ALL=({executorUser}) ", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Removes the daemon's rule; says so.</summary>
    public static void Remove(string path)
    {
        if (!File.Exists(path))
        {
            Console.Out.WriteLine($"sudoers: {path} already gone");
            return;
        }

        File.Delete(path);
        Console.Out.WriteLine($"sudoers: removed {path}");
    }
}

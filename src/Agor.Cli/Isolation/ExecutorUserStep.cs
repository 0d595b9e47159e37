using Agor.Daemon.Executors;

namespace Agor.Cli.Isolation;

/// <summary>
/// Creates the executor's system user when it is missing: no login shell, a home for the agent's own
/// files, and a comment saying a setup made it, so that the last daemon's <c>--undo</c> may remove it.
/// </summary>
internal static class ExecutorUserStep
{
    /// <summary>The comment (GECOS) of a user a setup created.</summary>
    public const string Comment = "Agor executor (made by agor setup-executor-isolation)";

    private const int UserNameInUse = 9;

    public static async Task<(UnixUser User, bool Changed)> EnsureAsync(string name, CancellationToken cancellationToken = default)
    {
        if (await PasswdLookup.FindAsync(name, cancellationToken) is { } existing)
        {
            Console.Out.WriteLine($"user {name}: already present (uid {existing.Uid})");
            return (existing, false);
        }

        var shell = SystemCommand.Find("nologin") ?? "/bin/false";
        var result = await SystemCommand.RunAsync("useradd", ["--system", "--create-home", "--shell", shell, "--comment", Comment, name], cancellationToken);
        if (result.ExitCode == UserNameInUse && await PasswdLookup.FindAsync(name, cancellationToken) is { } raced)
        {
            Console.Out.WriteLine($"user {name}: already present (uid {raced.Uid})");
            return (raced, false);
        }

        if (result.ExitCode != 0 || await PasswdLookup.FindAsync(name, cancellationToken) is not { } created)
        {
            throw new CliException($"useradd could not create the user {name} (exit code {result.ExitCode}): {result.Output}");
        }

        Console.Out.WriteLine($"user {name}: created (uid {created.Uid}, home {created.Home}, shell {shell})");
        return (created, true);
    }

    /// <summary>
    /// Removes the user and its home (the agents' homes in it go too) when a setup made it and no
    /// other daemon's rule still runs executors as it; says which it did. False when userdel failed.
    /// </summary>
    public static async Task<bool> RemoveAsync(string name, bool createdBySetup, IReadOnlyList<string> otherRules, CancellationToken cancellationToken = default)
    {
        if (await PasswdLookup.FindEntryAsync(name, cancellationToken) is not { } entry)
        {
            Console.Out.WriteLine($"user {name}: already gone");
            return true;
        }

        if (!createdBySetup && entry.Comment != Comment)
        {
            Console.Out.WriteLine($"user {name}: kept (it was there before setup)");
            return true;
        }

        if (otherRules.Count > 0)
        {
            Console.Out.WriteLine($"user {name}: kept (another daemon runs executors as it: {string.Join(", ", otherRules)}; its undo removes the user)");
            return true;
        }

        var result = await SystemCommand.RunAsync("userdel", ["--remove", name], cancellationToken);
        if (await PasswdLookup.FindAsync(name, cancellationToken) is not null)
        {
            Console.Error.WriteLine($"agor: user {name}: not removed: userdel exit code {result.ExitCode}: {result.Output.ReplaceLineEndings(" ")} (stop the daemon, whose tasks may still run as {name}, and run this again)");
            return false;
        }

        Console.Out.WriteLine($"user {name}: removed, with its home {entry.User.Home}");
        return true;
    }
}

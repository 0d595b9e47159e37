using Agor.Daemon.Executors;

namespace Agor.Cli.Isolation;

/// <summary>Creates the executor's system user when it is missing: no login shell, a home for the agent's own files.</summary>
internal static class ExecutorUserStep
{
    private const int UserNameInUse = 9;

    public static async Task<(UnixUser User, bool Changed)> EnsureAsync(string name, CancellationToken cancellationToken = default)
    {
        if (UnixUser.Find(name) is { } existing)
        {
            Console.Out.WriteLine($"user {name}: already present (uid {existing.Uid})");
            return (existing, false);
        }

        var shell = SystemCommand.Find("nologin") ?? "/bin/false";
        var result = await SystemCommand.RunAsync("useradd", ["--system", "--create-home", "--shell", shell, name], cancellationToken);
        if (result.ExitCode == UserNameInUse && UnixUser.Find(name) is { } raced)
        {
            Console.Out.WriteLine($"user {name}: already present (uid {raced.Uid})");
            return (raced, false);
        }

        if (result.ExitCode != 0 || UnixUser.Find(name) is not { } created)
        {
            throw new CliException($"useradd could not create the user {name} (exit code {result.ExitCode}): {result.Output}");
        }

        Console.Out.WriteLine($"user {name}: created (uid {created.Uid}, home {created.Home}, shell {shell})");
        return (created, true);
    }
}

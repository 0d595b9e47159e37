using Agor.Bench.Native;
using Agor.Bench.Processes;

namespace Agor.Bench.Setup;

/// <summary>
/// Whether the sudo figures can run, and as whom: only as root, with sudo installed, as the
/// system user <c>agor_bench</c> (created when missing), with every binary reachable by that user.
/// </summary>
internal sealed record SudoTarget(string? User, string? SkipReason)
{
    public const string BenchUser = "agor_bench";

    public static async Task<SudoTarget> PrepareAsync(IEnumerable<string> binaries, TextWriter log, CancellationToken cancellationToken = default)
    {
        if (Libc.geteuid() != 0)
        {
            return Skip("not running as root");
        }

        if (CommandLine.Find("sudo") is null)
        {
            return Skip("sudo is not installed");
        }

        if (Daemon.Executors.UnixUser.Find(BenchUser) is null)
        {
            var created = await CommandLine.RunAsync("useradd", ["--system", "--no-create-home", BenchUser], cancellationToken: cancellationToken);
            if (!created.Succeeded)
            {
                return Skip($"useradd {BenchUser} failed: {created.Stderr.Trim()}");
            }

            log.WriteLine($"sudo: created the system user {BenchUser}");
        }

        foreach (var binary in binaries)
        {
            if (FindUnreachable(binary) is { } problem)
            {
                return Skip($"{BenchUser} cannot run {binary}: {problem}");
            }
        }

        return new SudoTarget(BenchUser, null);
    }

    private static SudoTarget Skip(string reason) => new(null, reason);

    /// <summary>Another user needs search permission on every directory above the file, and read and execute on it.</summary>
    public static string? FindUnreachable(string path)
    {
        var mode = File.GetUnixFileMode(path);
        if (!mode.HasFlag(UnixFileMode.OtherRead) || !mode.HasFlag(UnixFileMode.OtherExecute))
        {
            return $"the file is {mode}";
        }

        for (var directory = Path.GetDirectoryName(path); !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
        {
            if (!File.GetUnixFileMode(directory).HasFlag(UnixFileMode.OtherExecute))
            {
                return $"{directory} is not searchable by others";
            }
        }

        return null;
    }
}

using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Executors;

/// <summary>
/// A sudoers rule of the kind <c>agor setup-executor-isolation</c> writes: exactly one daemon user
/// may run exactly the executor as exactly the executor user, without a password. Checked with
/// <c>visudo -c</c> before it is put in place; removed on dispose.
/// </summary>
internal sealed class SudoersRule : IAsyncDisposable
{
    private readonly string _path;

    private SudoersRule(string path) => _path = path;

    public static async Task<SudoersRule> InstallAsync(string daemonUser, string executorUser, string executorPath)
    {
        var name = $"agor-test-{daemonUser}";
        var path = Path.Combine("/etc/sudoers.d", name);
        var staging = Path.Combine(Path.GetTempPath(), name);
        await File.WriteAllTextAsync(staging, $"{daemonUser} ALL=({executorUser}) NOPASSWD: {executorPath}\n");
        File.SetUnixFileMode(staging, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        var check = await ProcessRunner.RunAsync("visudo", ["-c", "-f", staging]);
        if (check.ExitCode != 0)
        {
            throw new InvalidOperationException($"visudo rejected the rule: {check.Stdout} {check.Stderr}");
        }

        File.Move(staging, path, overwrite: true);
        return new SudoersRule(path);
    }

    public ValueTask DisposeAsync()
    {
        File.Delete(_path);
        return ValueTask.CompletedTask;
    }
}

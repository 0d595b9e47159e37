using Agor.Cli.Tests.Support;
using Agor.Testing.Support;

namespace Agor.Cli.Tests;

/// <summary><c>sudo agor setup-executor-isolation</c> on a real machine (root), then a prompt through it.</summary>
[Collection(IsolationTestGroup.Name)]
public sealed class SetupExecutorIsolationTests
{
    // Not the default name: the daemon's own isolation tests create agor_executor concurrently.
    private const string ExecutorUser = "agor_cli_executor";
    private const string SudoersPath = "/etc/sudoers.d/agor-executor";
    private const string InstalledExecutor = "/usr/local/lib/agor/agor-executor";

    [SkippableFact(Timeout = 120_000)]
    public async Task SetupAsRoot_CreatesTheUserRuleAndExecutor_ChangesNothingTwice_AndPromptsRunAsThatUser()
    {
        Agor.Testing.Support.Isolation.Require();
        await using var h = await CliHarness.StartAsync(o => o with { Execution = ["max_executors: 2    # kept as written"] }, startDaemon: false);
        await h.Home.RunCheckedAsync("init");
        var workDirectory = Directory.CreateTempSubdirectory("agor-cli-isolated-").FullName;
        var userExisted = await UnixUsers.UidAsync(ExecutorUser) is not null;
        var installDirectory = Path.GetDirectoryName(InstalledExecutor)!;
        var installExisted = Directory.Exists(installDirectory);
        try
        {
            var first = await h.Home.RunAsync("setup-executor-isolation", "--user", ExecutorUser, "--daemon-user", "root");
            var configAfterFirst = await File.ReadAllTextAsync(h.Home.ConfigPath);
            var sudoersAfterFirst = await File.ReadAllTextAsync(SudoersPath);
            var second = await h.Home.RunAsync("setup-executor-isolation", "--user", ExecutorUser, "--daemon-user", "root");

            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Contains($"user {ExecutorUser}:", first.Stdout, StringComparison.Ordinal);
            Assert.Contains("config: set execution.run_as_unix_user", first.Stdout, StringComparison.Ordinal);
            var executorUid = await UnixUsers.UidAsync(ExecutorUser);
            Assert.NotNull(executorUid);
            Assert.True(File.Exists(InstalledExecutor));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, File.GetUnixFileMode(SudoersPath));
            Assert.Contains($"root ALL=({ExecutorUser}) NOPASSWD: {InstalledExecutor} --version, {InstalledExecutor} --socket *, {InstalledExecutor} --probe-sandbox *", sudoersAfterFirst, StringComparison.Ordinal);
            Assert.Equal(0, (await ProcessRunner.RunAsync("visudo", ["-c"])).ExitCode);
            Assert.Contains("run_as_unix_user: true", configAfterFirst, StringComparison.Ordinal);
            Assert.Contains($"executor_unix_user: {ExecutorUser}", configAfterFirst, StringComparison.Ordinal);
            Assert.Contains($"executor_path: \"{InstalledExecutor}\"", configAfterFirst, StringComparison.Ordinal);
            Assert.Contains("max_executors: 2    # kept as written", configAfterFirst, StringComparison.Ordinal);
            Assert.Contains("sandbox.mode", first.Stdout, StringComparison.Ordinal);
            Assert.Matches(@"(?m)^  mode: required\b", configAfterFirst);
            Assert.Contains("apparmor:", first.Stdout, StringComparison.Ordinal);

            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Contains("already present", second.Stdout, StringComparison.Ordinal);
            Assert.Contains("nothing changed", second.Stdout, StringComparison.Ordinal);
            Assert.Equal(configAfterFirst, await File.ReadAllTextAsync(h.Home.ConfigPath));
            Assert.Equal(sudoersAfterFirst, await File.ReadAllTextAsync(SudoersPath));

            // Afterwards the daemon runs the agent as the executor user.
            await ProcessRunner.RunCheckedAsync("chown", [ExecutorUser, workDirectory]);
            var written = Path.Combine(workDirectory, "made-by-agent.txt");
            h.Model.Script.EnqueueToolUse("Write", new { file_path = written, content = "hello\n" }).EnqueueText("Done.");
            await h.Home.RunCheckedAsync("daemon", "start");
            var session = (await h.Home.RunJsonAsync("session", "create", "--cwd", workDirectory)).GetProperty("id").GetString()!;

            var prompt = await h.Home.RunAsync("prompt", session, "Write a file", "--yes");

            Assert.True(prompt.ExitCode == 0, prompt.ToString());
            Assert.Equal(executorUid, await FileOwner.UidAsync(written));
        }
        finally
        {
            Directory.Delete(workDirectory, recursive: true);
            File.Delete(SudoersPath);

            // What the setup created on this machine goes again: the user (and its home) and the installed executor.
            if (!userExisted)
            {
                await UnixUsers.RemoveAsync(ExecutorUser);
            }

            if (!installExisted && Directory.Exists(installDirectory))
            {
                Directory.Delete(installDirectory, recursive: true);
            }
        }
    }
}

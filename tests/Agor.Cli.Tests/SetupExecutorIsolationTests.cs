using System.Security.Cryptography;
using System.Text;
using Agor.Cli.Tests.Support;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Cli.Tests;

/// <summary>
/// <c>sudo agor setup-executor-isolation</c> on a real machine (root), as a person types it: through
/// sudo (which drops AGOR_HOME), for one daemon of several, then a prompt through it, then <c>--undo</c>.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class SetupExecutorIsolationTests
{
    // Not the default name: the daemon's own isolation tests create agor_executor.
    private const string ExecutorUser = "agor_cli_executor";
    private const string DaemonUser = "agor_cli_daemon_t";
    private const string InstallRoot = "/usr/local/lib/agor";

    [SkippableFact(Timeout = 180_000)]
    public async Task SetupThroughSudo_EditsTheNamedHome_ChangesNothingTwice_PromptsRunAsTheUser_AndUndoLeavesNothing()
    {
        Agor.Testing.Support.Isolation.Require();
        await using var h = await CliHarness.StartAsync(o => o with { Execution = ["max_executors: 2    # kept as written"] }, startDaemon: false);
        await h.Home.RunCheckedAsync("init");
        var original = await File.ReadAllTextAsync(h.Home.ConfigPath);
        var workDirectory = Directory.CreateTempSubdirectory("agor-cli-isolated-").FullName;
        var daemon = new DaemonNames("root", h.Home.Path);
        await using var cleanup = await MachineCleanup.StartAsync(daemon);
        try
        {
            var first = await SudoSetupAsync("--agor-home", h.Home.Path, "--user", ExecutorUser);
            var configAfterFirst = await File.ReadAllTextAsync(h.Home.ConfigPath);
            var sudoersAfterFirst = await File.ReadAllTextAsync(daemon.SudoersPath);
            var second = await SudoSetupAsync("--agor-home", h.Home.Path, "--user", ExecutorUser);

            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Contains($"setup for the daemon of root, AGOR_HOME {h.Home.Path} (from --agor-home)", first.Stdout, StringComparison.Ordinal);
            Assert.Contains($"user {ExecutorUser}: created", first.Stdout, StringComparison.Ordinal);
            Assert.Contains("config: set execution.run_as_unix_user", first.Stdout, StringComparison.Ordinal);
            var executorUid = await UnixUsers.UidAsync(ExecutorUser);
            Assert.NotNull(executorUid);
            Assert.True(File.Exists(daemon.ExecutorPath), daemon.ExecutorPath);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, File.GetUnixFileMode(daemon.SudoersPath));
            Assert.Contains($"root ALL=({ExecutorUser}) NOPASSWD: {daemon.ExecutorPath} --version, {daemon.ExecutorPath} --socket *, {daemon.ExecutorPath} --probe-sandbox *", sudoersAfterFirst, StringComparison.Ordinal);
            Assert.Equal(0, (await ProcessRunner.RunAsync("visudo", ["-c"])).ExitCode);
            Assert.Contains("run_as_unix_user: true", configAfterFirst, StringComparison.Ordinal);
            Assert.Contains($"executor_unix_user: {ExecutorUser}", configAfterFirst, StringComparison.Ordinal);
            Assert.Contains($"executor_path: \"{daemon.ExecutorPath}\"", configAfterFirst, StringComparison.Ordinal);
            Assert.Contains("max_executors: 2    # kept as written", configAfterFirst, StringComparison.Ordinal);
            Assert.Matches(@"(?m)^  mode: required\b", configAfterFirst);
            Assert.Contains("apparmor:", first.Stdout, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(daemon.ManifestPath));

            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Contains("already present", second.Stdout, StringComparison.Ordinal);
            Assert.Contains("nothing changed", second.Stdout, StringComparison.Ordinal);
            Assert.Equal(configAfterFirst, await File.ReadAllTextAsync(h.Home.ConfigPath));
            Assert.Equal(sudoersAfterFirst, await File.ReadAllTextAsync(daemon.SudoersPath));

            // Afterwards the daemon runs the agent as the executor user.
            await ProcessRunner.RunCheckedAsync("chown", [ExecutorUser, workDirectory]);
            var written = Path.Combine(workDirectory, "made-by-agent.txt");
            h.Model.Script.EnqueueToolUse("Write", new { file_path = written, content = "hello\n" }).EnqueueText("Done.");
            await h.Home.RunCheckedAsync("daemon", "start");
            var session = (await h.Home.RunJsonAsync("session", "create", "--cwd", workDirectory)).GetProperty("id").GetString()!;
            var prompt = await h.Home.RunAsync("prompt", session, "Write a file", "--yes");
            Assert.True(prompt.ExitCode == 0, prompt.ToString());
            Assert.Equal(executorUid, await FileOwner.UidAsync(written));
            await h.Home.RunCheckedAsync("daemon", "stop");
            File.Delete(written);

            var undo = await SudoSetupAsync("--undo", "--agor-home", h.Home.Path);

            Assert.True(undo.ExitCode == 0, undo.ToString());
            Assert.Equal(original, await File.ReadAllTextAsync(h.Home.ConfigPath));
            Assert.Null(await UnixUsers.UidAsync(ExecutorUser));
            Assert.False(File.Exists(daemon.SudoersPath), daemon.SudoersPath);
            Assert.False(Directory.Exists(daemon.InstallDirectory), daemon.InstallDirectory);
            Assert.False(File.Exists(daemon.ManifestPath), daemon.ManifestPath);
            Assert.Equal(cleanup.InstallRootExisted, Directory.Exists(InstallRoot));
        }
        finally
        {
            Directory.Delete(workDirectory, recursive: true);
        }
    }

    [SkippableFact(Timeout = 180_000)]
    public async Task TwoDaemons_KeepTheirOwnRuleAndExecutor_UndoOfOneLeavesTheOther_TheLastRemovesTheSharedUser()
    {
        Agor.Testing.Support.Isolation.Require();
        await using var firstHome = AgorHomeDirectory.CreateEmpty();
        await using var secondHome = AgorHomeDirectory.CreateEmpty();
        var first = new DaemonNames("root", firstHome.Path);
        var second = new DaemonNames("root", secondHome.Path);
        await using var firstCleanup = await MachineCleanup.StartAsync(first);
        await using var secondCleanup = await MachineCleanup.StartAsync(second);

        var setupFirst = await SudoSetupAsync("--agor-home", first.Home, "--user", ExecutorUser);
        Assert.True(setupFirst.ExitCode == 0, setupFirst.ToString());
        var firstFiles = Snapshot(first);
        var setupSecond = await SudoSetupAsync("--agor-home", second.Home, "--user", ExecutorUser);

        Assert.True(setupSecond.ExitCode == 0, setupSecond.ToString());
        Assert.NotEqual(first.SudoersPath, second.SudoersPath);
        Assert.True(File.Exists(second.SudoersPath) && File.Exists(second.ExecutorPath), setupSecond.ToString());
        Assert.Equal(firstFiles, Snapshot(first));
        Assert.Contains($"executor_path: \"{first.ExecutorPath}\"", await File.ReadAllTextAsync(Path.Combine(first.Home, "config.yaml")), StringComparison.Ordinal);
        Assert.Contains($"executor_path: \"{second.ExecutorPath}\"", await File.ReadAllTextAsync(Path.Combine(second.Home, "config.yaml")), StringComparison.Ordinal);

        var undoSecond = await SudoSetupAsync("--undo", "--agor-home", second.Home);

        Assert.True(undoSecond.ExitCode == 0, undoSecond.ToString());
        Assert.Contains($"user {ExecutorUser}: kept (another daemon runs executors as it: {first.SudoersPath}", undoSecond.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(second.SudoersPath) || Directory.Exists(second.InstallDirectory), undoSecond.ToString());
        Assert.False(Directory.Exists(second.Home), "setup created the second home and nothing else was put in it");
        Assert.Equal(firstFiles, Snapshot(first));
        Assert.NotNull(await UnixUsers.UidAsync(ExecutorUser));

        var undoFirst = await SudoSetupAsync("--undo", "--agor-home", first.Home);

        Assert.True(undoFirst.ExitCode == 0, undoFirst.ToString());
        Assert.Null(await UnixUsers.UidAsync(ExecutorUser));
        Assert.False(File.Exists(first.SudoersPath) || Directory.Exists(first.InstallDirectory), undoFirst.ToString());
        Assert.Equal(firstCleanup.InstallRootExisted, Directory.Exists(InstallRoot));
    }

    [SkippableFact(Timeout = 180_000)]
    public async Task WithoutAgorHome_TheHomeOfSudoUserIsEdited_AndSaidSo()
    {
        Agor.Testing.Support.Isolation.Require();
        var daemonUserExisted = await UnixUsers.UidAsync(DaemonUser) is not null;
        var daemonUid = await UnixUsers.EnsureAsync(DaemonUser);
        var userHome = (await ProcessRunner.RunCheckedAsync("getent", ["passwd", DaemonUser])).Stdout.Trim().Split(':')[5];
        var daemon = new DaemonNames(DaemonUser, Path.Combine(userHome, ".agor"));
        try
        {
            await using var cleanup = await MachineCleanup.StartAsync(daemon);

            // As sudo leaves it: SUDO_USER names who ran it, AGOR_HOME is gone.
            var setup = await AsSudoLeavesItAsync("setup-executor-isolation", "--user", ExecutorUser);

            Assert.True(setup.ExitCode == 0, setup.ToString());
            Assert.Contains($"setup for the daemon of {DaemonUser}, AGOR_HOME {daemon.Home} (the home of {DaemonUser} (SUDO_USER)", setup.Stdout, StringComparison.Ordinal);
            Assert.Contains($"config: created {daemon.Home}/config.yaml for {DaemonUser}", setup.Stdout, StringComparison.Ordinal);
            Assert.Equal(daemonUid, await FileOwner.UidAsync(Path.Combine(daemon.Home, "config.yaml")));
            Assert.Contains($"{DaemonUser} ALL=({ExecutorUser}) NOPASSWD: {daemon.ExecutorPath} --version", await File.ReadAllTextAsync(daemon.SudoersPath), StringComparison.Ordinal);

            var undo = await AsSudoLeavesItAsync("setup-executor-isolation", "--undo");

            Assert.True(undo.ExitCode == 0, undo.ToString());
            Assert.False(Directory.Exists(daemon.Home), undo.ToString());
            Assert.False(File.Exists(daemon.SudoersPath), undo.ToString());
            Assert.Null(await UnixUsers.UidAsync(ExecutorUser));
        }
        finally
        {
            if (!daemonUserExisted)
            {
                await UnixUsers.RemoveAsync(DaemonUser);
            }
        }
    }

    /// <summary>The command as typed: <c>sudo agor ...</c>, with the full path (agor is not on sudo's secure_path), AGOR_HOME set but dropped by sudo.</summary>
    private static async Task<CliResult> SudoSetupAsync(params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(
            "sudo", ["-n", DaemonProcess.AgorPath, "setup-executor-isolation", .. arguments], new Dictionary<string, string> { ["AGOR_HOME"] = "/nonexistent/sudo-drops-this" });
        return new CliResult(result.ExitCode, result.Stdout, result.Stderr);
    }

    private static async Task<CliResult> AsSudoLeavesItAsync(params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync("env", ["-u", "AGOR_HOME", $"SUDO_USER={DaemonUser}", DaemonProcess.AgorPath, .. arguments]);
        return new CliResult(result.ExitCode, result.Stdout, result.Stderr);
    }

    private static Dictionary<string, string> Snapshot(DaemonNames daemon) =>
        new[] { daemon.SudoersPath, daemon.ExecutorPath }
            .Concat(Directory.EnumerateFiles(daemon.InstallDirectory))
            .Distinct()
            .ToDictionary(p => p, p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) + File.GetLastWriteTimeUtc(p).Ticks);

    /// <summary>Where the setup of the daemon of <paramref name="User"/> with <paramref name="Home"/> is to put its files.</summary>
    private sealed record DaemonNames(string User, string Home)
    {
        public string Name => $"agor-{User}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Home)))[..8]}";

        public string SudoersPath => $"/etc/sudoers.d/{Name}";

        public string InstallDirectory => $"{InstallRoot}/{Name}";

        public string ExecutorPath => $"{InstallDirectory}/agor-executor";

        public string ManifestPath => Path.Combine(Home, "setup-executor-isolation.json");
    }

    /// <summary>Removes what a setup made, also when the test failed before its undo.</summary>
    private sealed class MachineCleanup : IAsyncDisposable
    {
        private readonly DaemonNames _daemon;
        private readonly bool _userExisted;

        private MachineCleanup(DaemonNames daemon, bool userExisted, bool installRootExisted)
        {
            _daemon = daemon;
            _userExisted = userExisted;
            InstallRootExisted = installRootExisted;
        }

        public bool InstallRootExisted { get; }

        public static async Task<MachineCleanup> StartAsync(DaemonNames daemon) =>
            new(daemon, await UnixUsers.UidAsync(ExecutorUser) is not null, Directory.Exists(InstallRoot));

        public async ValueTask DisposeAsync()
        {
            File.Delete(_daemon.SudoersPath);
            if (Directory.Exists(_daemon.InstallDirectory))
            {
                Directory.Delete(_daemon.InstallDirectory, recursive: true);
            }

            if (!InstallRootExisted && Directory.Exists(InstallRoot) && !Directory.EnumerateFileSystemEntries(InstallRoot).Any())
            {
                Directory.Delete(InstallRoot);
            }

            if (!_userExisted)
            {
                await UnixUsers.RemoveAsync(ExecutorUser);
            }
        }
    }
}

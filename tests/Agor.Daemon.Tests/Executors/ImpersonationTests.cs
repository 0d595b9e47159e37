using Agor.Daemon.Executors;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Executors;

/// <summary>
/// Executors as another Unix user through real sudo, with real users (root needed; CI has it).
/// Users are created when missing and removed after the isolation collection: agor_executor (the executor), agor_daemon_t (an unprivileged
/// daemon with a sudoers rule like setup writes), agor_nosudo_t (a daemon sudo refuses).
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class ImpersonationTests
{
    private const string ExecutorUser = "agor_executor";
    private const string DaemonUser = "agor_daemon_t";
    private const string RefusedDaemonUser = "agor_nosudo_t";

    [SkippableFact(Timeout = 120_000)]
    public async Task SudoMode_ExecutorRunsAsTheExecutorUser_WithNoneOfTheDaemonsEnvironment()
    {
        Isolation.Require();
        var executorUid = await UnixUsers.EnsureAsync(ExecutorUser);
        Environment.SetEnvironmentVariable("AGOR_TEST_PLANTED_SECRET", "sk-planted-in-daemon");
        try
        {
            await using var harness = await PoolHarness.StartAsync(s => s with { RunAsUnixUser = true, ExecutorUnixUser = ExecutorUser });
            Assert.Equal(ImpersonationMode.Sudo, harness.Pool.Mode);

            await using var lease = await harness.Pool.AcquireAsync();
            var ping = await lease.Client.PingAsync();

            Assert.Equal(ExecutorUser, ping.User);
            Assert.Equal(executorUid, ping.Uid);
            Assert.Equal(executorUid, ProcessTable.Uid(ping.Pid));
            Assert.Equal(ExecutorUser, Assert.Single(harness.Pool.Snapshot()).UnixUser);
            var environment = ProcessTable.Environment(ping.Pid);
            Assert.DoesNotContain("AGOR_TEST_PLANTED_SECRET", environment.Keys);
            Assert.DoesNotContain(environment.Values, v => v.Contains("sk-planted", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AGOR_TEST_PLANTED_SECRET", null);
        }
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task SudoMode_TheExecutorsCredentialsCannotReadThe0600FilesOfTheDaemonUser()
    {
        Isolation.Require();
        await UnixUsers.EnsureAsync(ExecutorUser);
        var secret = Path.Combine("/tmp", $"agor-daemon-secret-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(secret, "api_key: sk-daemon-only");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            await using var harness = await PoolHarness.StartAsync(s => s with { RunAsUnixUser = true, ExecutorUnixUser = ExecutorUser });
            await using var lease = await harness.Pool.AcquireAsync();
            var executorPid = (await lease.Client.PingAsync()).Pid;

            // A process with exactly the running executor's credentials tries to read the file.
            var status = File.ReadAllLines($"/proc/{executorPid}/status");
            var uid = status.First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];
            var gid = status.First(l => l.StartsWith("Gid:", StringComparison.Ordinal)).Split('\t')[1];
            var read = await ProcessRunner.RunAsync("setpriv", [$"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", "cat", secret]);

            Assert.NotEqual(0, read.ExitCode);
            Assert.Contains("Permission denied", read.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-daemon-only", read.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task NonRootDaemon_WithASudoersRule_RunsExecutorsAsTheExecutorUser_AndStopsThem()
    {
        Isolation.Require();
        await UnixUsers.EnsureAsync(ExecutorUser);
        await UnixUsers.EnsureAsync(DaemonUser);
        await using var rule = await SudoersRule.InstallAsync(DaemonUser, ExecutorUser, TestBinaries.ExecutorPath);

        var output = await RunProbeAsAsync(DaemonUser, "pool");

        Assert.Equal("Sudo", output["mode"]);
        Assert.Equal((await UnixUsers.UidAsync(DaemonUser)).ToString(), output["daemon_uid"]);
        Assert.Equal(ExecutorUser, output["executor_user"]);
        Assert.Equal("True", output["executor_gone"]);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task NonRootDaemon_SigkillToSudo_DoesNotOrphanTheExecutor()
    {
        Isolation.Require();
        await UnixUsers.EnsureAsync(ExecutorUser);
        await UnixUsers.EnsureAsync(DaemonUser);
        await using var rule = await SudoersRule.InstallAsync(DaemonUser, ExecutorUser, TestBinaries.ExecutorPath);

        // The daemon cannot signal another user's process; only sudo is its child. The executor
        // must not outlive a SIGKILL to sudo (the TypeScript original leaves it orphaned).
        var output = await RunProbeAsAsync(DaemonUser, "kill-sudo");

        Assert.Equal("Sudo", output["mode"]);
        Assert.Equal(ExecutorUser, output["executor_user"]);
        Assert.Equal("True", output["executor_gone"]);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task SudoRefused_FallsBackToTheDaemonsUser_WithALoudWarning()
    {
        Isolation.Require();
        await UnixUsers.EnsureAsync(ExecutorUser);
        await UnixUsers.EnsureAsync(RefusedDaemonUser);

        var output = await RunProbeAsAsync(RefusedDaemonUser, "pool");

        Assert.Equal("Disabled", output["mode"]);
        Assert.Equal(RefusedDaemonUser, output["executor_user"]);
        Assert.Contains("EXECUTOR ISOLATION UNAVAILABLE", output["log"], StringComparison.Ordinal);
        Assert.Equal("True", output["executor_gone"]);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task MissingExecutorUser_FallsBackWithAWarningThatNamesTheUser()
    {
        Isolation.Require();

        await using var harness = await PoolHarness.StartAsync(s => s with { RunAsUnixUser = true, ExecutorUnixUser = "agor_nobody_here" });

        Assert.Equal(ImpersonationMode.Disabled, harness.Pool.Mode);
        Assert.Contains(harness.Logger.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Critical
            && e.Message.Contains("the user 'agor_nobody_here' does not exist", StringComparison.Ordinal));
        await using var lease = await harness.Pool.AcquireAsync();
        Assert.Equal(Environment.UserName, (await lease.Client.PingAsync()).User);
    }

    /// <summary>Runs the probe program as <paramref name="user"/> with a clean environment; returns its key=value lines (and "log").</summary>
    private static async Task<Dictionary<string, string>> RunProbeAsAsync(string user, string mode)
    {
        var uid = await UnixUsers.UidAsync(user) ?? throw new InvalidOperationException($"no user {user}");
        var home = $"/home/{user}";
        var result = await ProcessRunner.RunAsync(
            "setpriv",
            [
                $"--reuid={uid}", $"--regid={uid}", "--init-groups", "--",
                "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", $"HOME={home}", "DOTNET_CLI_TELEMETRY_OPTOUT=1", "DOTNET_NOLOGO=1",
                "dotnet", TestBinaries.PoolProbeDll, mode, TestBinaries.ExecutorPath, ExecutorUser,
            ]);
        Assert.True(result.ExitCode == 0, $"probe failed ({result.ExitCode}): {result.Stdout} {result.Stderr}");
        var output = result.Stdout.Split('\n')
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2 && !pair[0].Contains(' ', StringComparison.Ordinal))
            .ToDictionary(pair => pair[0], pair => pair[1].Trim());
        output["log"] = result.Stdout + result.Stderr;
        return output;
    }
}

using Agor.Cli.Tests.Support;
using Agor.Testing.Support;

namespace Agor.Cli.Tests;

/// <summary><c>agor init</c>, and the daemon started in the background, inspected and stopped.</summary>
public sealed class InitAndDaemonTests
{
    [Fact(Timeout = 30_000)]
    public async Task Init_Twice_CreatesHomeAndPrivateToken_AndNeverOverwritesTheConfig()
    {
        await using var home = AgorHomeDirectory.CreateEmpty();

        var first = await home.RunAsync("init");
        var token = await File.ReadAllTextAsync(home.TokenPath);
        await File.AppendAllTextAsync(home.ConfigPath, "# my own line\n");
        var config = await File.ReadAllTextAsync(home.ConfigPath);
        var second = await home.RunAsync("init");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains($"created {home.ConfigPath}", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("run_as_unix_user", config, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(home.TokenPath));
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("nothing changed", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(config, await File.ReadAllTextAsync(home.ConfigPath));
        Assert.Equal(token, await File.ReadAllTextAsync(home.TokenPath));
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task StartInTheBackground_Status_RefusesASecondStart_AndStopLeavesNothingRunning()
    {
        await using var h = await CliHarness.StartAsync(startDaemon: false);
        await h.Home.RunCheckedAsync("init");

        var start = await h.Home.RunAsync("daemon", "start");
        var pid = h.Home.DaemonPid();
        var status = await h.Home.RunAsync("daemon", "status");
        var again = await h.Home.RunAsync("daemon", "start");
        var statusJson = await h.Home.RunJsonAsync("daemon", "status");

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Matches(@"listening on http://127\.0\.0\.1:\d+", start.Stdout);
        Assert.Contains($"log: {Path.Combine(h.Home.Path, "daemon.log")}", start.Stdout, StringComparison.Ordinal);
        Assert.NotNull(pid);
        Assert.True(ProcessTable.IsRunning(pid.Value));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(h.Home.PidPath));
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("running", status.Stdout, StringComparison.Ordinal);
        Assert.Contains(pid.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), status.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 busy of 0", status.Stdout, StringComparison.Ordinal);
        Assert.Equal("0.1.0", statusJson.GetProperty("version").GetString());
        var sandbox = statusJson.GetProperty("sandbox");
        Assert.Equal("auto", sandbox.GetProperty("mode").GetString());
        Assert.Matches(@"(?m)^\s*sandbox:\s+\S", status.Stdout);

        // Unconfined agents are said loudly; confined ones are not warned about.
        Assert.Equal(!sandbox.GetProperty("available").GetBoolean(), status.Stdout.Contains("WARNING: agents run UNCONFINED", StringComparison.Ordinal));
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already running", again.Stderr, StringComparison.Ordinal);
        Assert.True(ProcessTable.IsRunning(pid.Value));

        var stop = await h.Home.RunAsync("daemon", "stop");
        var after = await h.Home.RunAsync("daemon", "status");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.False(ProcessTable.IsRunning(pid.Value));
        Assert.False(File.Exists(h.Home.PidPath));
        Assert.Equal(3, after.ExitCode);
        Assert.Contains("not running", after.Stdout, StringComparison.Ordinal);
        Assert.Contains("listening on", await File.ReadAllTextAsync(Path.Combine(h.Home.Path, "daemon.log")), StringComparison.Ordinal);
    }
}

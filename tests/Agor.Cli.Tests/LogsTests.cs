using Agor.Cli.Tests.Support;
using Agor.Testing.Support;

namespace Agor.Cli.Tests;

/// <summary><c>agor logs [-n N] [-f]</c> on the log of a daemon started in the background.</summary>
public sealed class LogsTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task Logs_PrintsTheDaemonLog_AndFollowPrintsWhatItWritesNext_UntilCtrlC()
    {
        await using var h = await CliHarness.StartAsync();
        h.Model.Script.EnqueueText("Logged.");
        var session = await h.CreateSessionAsync();
        var log = await File.ReadAllTextAsync(Path.Combine(h.Home.Path, "daemon.log"));

        var whole = await h.Home.RunAsync("logs");
        var last = await h.Home.RunAsync("logs", "-n", "1");

        Assert.True(whole.ExitCode == 0, whole.ToString());
        Assert.NotEmpty(log);
        Assert.StartsWith(log, whole.Stdout, StringComparison.Ordinal);
        Assert.Equal(log.TrimEnd('\n').Split('\n')[^1] + "\n", last.Stdout);

        using var follow = h.Home.Start(["logs", "-f", "-n", "0"]);
        follow.StandardInput.Close();
        var stderr = follow.StandardError.ReadToEndAsync();
        try
        {
            // -n 0: nothing old; then what the task makes the daemon write.
            var taskId = (await h.Home.RunCheckedAsync("prompt", session, "Say logged", "--no-wait")).Trim();
            string? line;
            while ((line = await follow.StandardOutput.ReadLineAsync()) is not null && !line.Contains($"task {taskId} of session {session}: completed", StringComparison.Ordinal))
            {
            }

            Assert.NotNull(line);
            Signals.Send(follow.Id, 2);
            await follow.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!follow.HasExited)
            {
                follow.Kill();
                await follow.WaitForExitAsync();
            }
        }

        Assert.True(follow.ExitCode == 0, $"exit {follow.ExitCode}: {await stderr}");
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task Logs_WithoutABackgroundDaemonLog_SaysWhereTheLogIsInstead()
    {
        await using var home = AgorHomeDirectory.CreateEmpty();
        await home.RunCheckedAsync("init");

        var result = await home.RunAsync("logs");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains($"there is no daemon log at {Path.Combine(home.Path, "daemon.log")}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("journalctl", result.Stderr, StringComparison.Ordinal);
    }
}

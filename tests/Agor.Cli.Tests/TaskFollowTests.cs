using Agor.Cli.Tests.Support;
using Agor.Testing.Daemon;

namespace Agor.Cli.Tests;

/// <summary><c>agor task follow</c> after <c>prompt --no-wait</c>, against a real daemon, Claude Code and the scripted model.</summary>
public sealed class TaskFollowTests
{
    [SkippableFact(Timeout = 120_000)]
    public async Task Follow_ATaskWaitingForPermission_AsksHere_AndShowsItToTheEnd()
    {
        await using var h = await CliHarness.StartAsync();
        var file = Path.Combine(h.WorkingDirectory, "followed.txt");
        h.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "followed\n" }, leadingText: "I will write it.").EnqueueText("Written while followed.");
        var session = await h.CreateSessionAsync();
        using var http = h.Home.CreateHttpClient();
        await using var events = await SseClient.ConnectAsync(http, session);
        var taskId = (await h.Home.RunCheckedAsync("prompt", session, "Write followed.txt", "--no-wait")).Trim();

        // Followed only once the request is pending: it was asked before `follow` ran, and is asked again here.
        await events.WaitForAsync(e => e.Type == "permission.requested" && e.Str("task_id") == taskId);
        var followed = await h.Home.RunAsync(["task", "follow", taskId], stdin: "y\n");

        Assert.True(followed.ExitCode == 0, followed.ToString());
        Assert.Contains("> Write followed.txt", followed.Stderr, StringComparison.Ordinal);
        Assert.Contains("Allow Write followed.txt? [y/N] y\n", followed.Stderr, StringComparison.Ordinal);
        Assert.Contains("✓ completed", followed.Stderr, StringComparison.Ordinal);
        Assert.Contains("I will write it.", followed.Stdout, StringComparison.Ordinal);
        Assert.Contains("Written while followed.", followed.Stdout, StringComparison.Ordinal);
        Assert.Equal("followed\n", await File.ReadAllTextAsync(file));
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task Follow_AFinishedTask_ShowsItOnce_AndExitsWithItsOutcome()
    {
        await using var h = await CliHarness.StartAsync();
        h.Model.Script.EnqueueText("Already done.");
        var session = await h.CreateSessionAsync();
        var prompt = await h.Home.RunAsync("prompt", session, "Say done");
        Assert.True(prompt.ExitCode == 0, prompt.ToString());
        var taskId = (await h.Home.RunJsonAsync("task", "list", session))[0].GetProperty("id").GetString()!;

        var followed = await h.Home.RunAsync("task", "follow", taskId);
        var unknown = await h.Home.RunAsync("task", "follow", "task_doesnotexist");

        Assert.True(followed.ExitCode == 0, followed.ToString());
        Assert.Equal("Already done.", followed.Stdout.Trim());
        Assert.Matches(@"✓ completed · [\d,]+ tokens in, [1-9][\d,]* out", followed.Stderr);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("agor: No task with id 'task_doesnotexist'. (404)", unknown.Stderr.Trim());
    }
}

using System.Text;
using System.Text.Json;
using Agor.Cli.Tests.Support;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Cli.Tests;

/// <summary><c>agor prompt</c> against a real daemon, the real Claude Code CLI and the scripted model.</summary>
public sealed class PromptTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task Prompt_StreamsTheAgentsTextToStdout_AndEndsWithUsage()
    {
        await using var h = await CliHarness.StartAsync();
        h.Model.Script.EnqueuePacedText(TimeSpan.FromMilliseconds(20), "Hello", " from", " the agent.");
        var session = await h.CreateSessionAsync();

        var result = await h.Home.RunAsync("prompt", session, "Say hello");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("Hello from the agent.", result.Stdout.Trim());
        Assert.Matches(@"✓ completed · [\d,]+ tokens in, [\d,]+ out", result.Stderr);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task ModelOption_AsksTheModelServerForThatModel_AndANameThatIsNotAModelIsRefused()
    {
        await using var h = await CliHarness.StartAsync();
        h.Model.Script.EnqueueText("Small and quick.");
        var session = await h.CreateSessionAsync();

        var result = await h.Home.RunAsync("prompt", session, "Who are you?", "--model", "claude-haiku-4-5");
        var bad = await h.Home.RunAsync("prompt", session, "Again", "--model", "--print");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("claude-haiku-4-5", Assert.Single(h.Model.ConversationRequests).Model);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("model", bad.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task PermissionAnsweredYesOnStdin_TheFileIsWritten()
    {
        await using var h = await CliHarness.StartAsync();
        var file = Path.Combine(h.WorkingDirectory, "notes.txt");
        h.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "from the agent\n" }, leadingText: "I will write it.").EnqueueText("Written.");
        var session = await h.CreateSessionAsync();

        var result = await h.Home.RunAsync(["prompt", session, "Write notes.txt"], stdin: "y\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Allow Write notes.txt? [y/N]", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("→ Write notes.txt", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("allowed", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("from the agent\n", await File.ReadAllTextAsync(file));
        Assert.Contains("I will write it.", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Written.", result.Stdout, StringComparison.Ordinal);
        var permissions = await h.Home.RunJsonAsync("permission", "list", "--all");
        Assert.Equal("allowed", Assert.Single(permissions.EnumerateArray()).GetProperty("status").GetString());
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task PermissionAnsweredNoOnStdin_NothingIsWritten_AndTheModelIsTold()
    {
        await using var h = await CliHarness.StartAsync();
        var file = Path.Combine(h.WorkingDirectory, "notes.txt");
        h.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "never\n" }).EnqueueText("Understood, I will not.");
        var session = await h.CreateSessionAsync();

        var result = await h.Home.RunAsync(["prompt", session, "Write notes.txt"], stdin: "n\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Allow Write notes.txt? [y/N]", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("denied", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        var told = Assert.Single(h.Model.ConversationRequests.SelectMany(r => r.ToolResults));
        Assert.True(told.IsError);
        Assert.Contains("denied", told.Content, StringComparison.Ordinal);
        Assert.Contains("Understood, I will not.", result.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task Yes_AllowsEveryRequest_AndListingsAsJsonShowWhatHappened()
    {
        await using var h = await CliHarness.StartAsync();
        var file = Path.Combine(h.WorkingDirectory, "yes.txt");
        h.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "yes\n" }).EnqueueText("Done.");
        var session = await h.CreateSessionAsync("--title", "listing");

        var result = await h.Home.RunAsync("prompt", session, "Write yes.txt", "--yes");
        var sessions = await h.Home.RunJsonAsync("session", "list");
        var shown = await h.Home.RunJsonAsync("session", "show", session);
        var tasks = await h.Home.RunJsonAsync("task", "list", session);
        var executors = await h.Home.RunJsonAsync("executor", "list");
        var pending = await h.Home.RunJsonAsync("permission", "list");
        var all = await h.Home.RunJsonAsync("permission", "list", "--all");
        var table = await h.Home.RunCheckedAsync("session", "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("yes\n", await File.ReadAllTextAsync(file));
        Assert.Contains(sessions.EnumerateArray(), s => s.GetProperty("id").GetString() == session && s.GetProperty("title").GetString() == "listing");
        Assert.Equal(h.WorkingDirectory, shown.GetProperty("cwd").GetString());
        var task = Assert.Single(tasks.EnumerateArray());
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.True(task.GetProperty("token_usage").GetProperty("output_tokens").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Array, executors.ValueKind);
        Assert.Empty(pending.EnumerateArray());
        Assert.Equal("allowed", Assert.Single(all.EnumerateArray()).GetProperty("status").GetString());
        Assert.Contains(session, table, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task NoWait_PrintsTheTaskId_AndTaskStopCancelsIt()
    {
        await using var h = await CliHarness.StartAsync();
        h.Model.Script.EnqueueSlowText(300, TimeSpan.FromMilliseconds(100));
        var session = await h.CreateSessionAsync();
        using var http = h.Home.CreateHttpClient();
        await using var events = await SseClient.ConnectAsync(http, session);

        var taskId = (await h.Home.RunCheckedAsync("prompt", session, "Talk slowly", "--no-wait")).Trim();
        await events.WaitForAsync(e => e.Type == "message.delta" && e.Str("task_id") == taskId);
        var stop = await h.Home.RunAsync("task", "stop", taskId);

        Assert.StartsWith("task_", taskId, StringComparison.Ordinal);
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("cancelled", stop.Stdout, StringComparison.Ordinal);
        Assert.Equal("cancelled", (await h.Home.RunJsonAsync("task", "list", session))[0].GetProperty("status").GetString());
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task CtrlC_StopsTheTask_AndExitsNonZero()
    {
        await using var h = await CliHarness.StartAsync();
        h.Model.Script.EnqueueSlowText(300, TimeSpan.FromMilliseconds(100));
        var session = await h.CreateSessionAsync();

        using var prompt = h.Home.Start(["prompt", session, "Talk slowly"]);
        prompt.StandardInput.Close();
        var stderr = prompt.StandardError.ReadToEndAsync();
        var buffer = new char[1];
        Assert.Equal(1, await prompt.StandardOutput.ReadAsync(buffer.AsMemory()));
        Signals.Send(prompt.Id, 2);
        var rest = await prompt.StandardOutput.ReadToEndAsync();
        await prompt.WaitForExitAsync();

        Assert.Equal(130, prompt.ExitCode);
        Assert.Contains("interrupted", await stderr, StringComparison.Ordinal);
        Assert.NotEmpty(buffer[0] + rest);
        Assert.Equal("cancelled", (await h.Home.RunJsonAsync("task", "list", session))[0].GetProperty("status").GetString());
    }
}

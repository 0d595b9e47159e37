using System.Diagnostics;
using System.Net.Http.Json;
using Agor.Cli.Tests.Support;
using Agor.Testing.Daemon;

namespace Agor.Cli.Tests;

/// <summary>
/// A permission question waiting at the terminal while someone else answers it through the API:
/// the question gives way to a line saying who decided, and the task goes on without a keypress.
/// </summary>
public sealed class PromptPermissionElsewhereTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task AnsweredThroughTheApi_TheWaitingQuestionEnds_WithWhoDecided()
    {
        await using var h = await CliHarness.StartAsync();
        var file = Path.Combine(h.WorkingDirectory, "elsewhere.txt");
        h.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "allowed elsewhere\n" }).EnqueueText("Written.");
        var session = await h.CreateSessionAsync();
        using var http = h.Home.CreateHttpClient();
        await using var events = await SseClient.ConnectAsync(http, session);

        // stdin stays open and silent: the question waits for a keypress that never comes.
        using var prompt = h.Home.Start(["prompt", session, "Write elsewhere.txt"]);
        var stdout = prompt.StandardOutput.ReadToEndAsync();
        var stderr = prompt.StandardError.ReadToEndAsync();
        try
        {
            var requested = await events.WaitForAsync(e => e.Type == "permission.requested");
            using var decided = await http.PostAsJsonAsync(
                new Uri($"/permissions/{requested.Str("id")}", UriKind.Relative),
                new { decision = "allow", reason = "Allowed by the reviewer on call." });
            decided.EnsureSuccessStatusCode();
            await prompt.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            Stop(prompt);
        }

        var errors = await stderr;
        Assert.True(prompt.ExitCode == 0, $"exit {prompt.ExitCode}\n{errors}");
        Assert.Contains("Allow Write elsewhere.txt? [y/N] ", errors, StringComparison.Ordinal);
        Assert.Contains("Write elsewhere.txt: allowed elsewhere: Allowed by the reviewer on call.\n", errors, StringComparison.Ordinal);
        Assert.Contains("✓ completed", errors, StringComparison.Ordinal);
        Assert.Contains("Written.", await stdout, StringComparison.Ordinal);
        Assert.Equal("allowed elsewhere\n", await File.ReadAllTextAsync(file));
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task AnsweredHere_ThePageIsToldItWasTheTerminal()
    {
        await using var h = await CliHarness.StartAsync();
        var file = Path.Combine(h.WorkingDirectory, "here.txt");
        h.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "here\n" }).EnqueueText("Written.");
        var session = await h.CreateSessionAsync();

        var result = await h.Home.RunAsync(["prompt", session, "Write here.txt"], stdin: "y\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        var permission = Assert.Single((await h.Home.RunJsonAsync("permission", "list", "--all")).EnumerateArray());
        Assert.Equal("allowed", permission.GetProperty("status").GetString());
        Assert.Equal("Allowed at the terminal (agor prompt).", permission.GetProperty("reason").GetString());
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }
}

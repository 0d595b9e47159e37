using System.Net;
using System.Net.Http.Json;
using Agor.Cli.Tests.Support;
using Agor.Testing.Daemon;

namespace Agor.Cli.Tests;

/// <summary><c>agor session rename</c> and <c>agor session delete</c> against a real daemon.</summary>
public sealed class SessionRenameDeleteTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task Rename_ChangesTheTitleTheListShows_AndAnEmptyNameRemovesIt()
    {
        await using var h = await CliHarness.StartAsync();
        var session = await h.CreateSessionAsync("--title", "first");

        var renamed = await h.Home.RunAsync("session", "rename", session, "second name");
        var shown = await h.Home.RunJsonAsync("session", "show", session);
        var list = await h.Home.RunCheckedAsync("session", "list");
        var cleared = await h.Home.RunJsonAsync("session", "rename", session, "");
        var missing = await h.Home.RunAsync("session", "rename", "ses_doesnotexist", "x");

        Assert.True(renamed.ExitCode == 0, renamed.ToString());
        Assert.Equal($"session {session}: renamed to \"second name\"", renamed.Stdout.Trim());
        Assert.Equal("second name", shown.GetProperty("title").GetString());
        Assert.Contains("second name", list, StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, cleared.GetProperty("title").ValueKind);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("agor: No session with id 'ses_doesnotexist'. (404)", missing.Stderr.Trim());
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task Patch_TakesNameAsTitle_AndRefusesABodyWithNeither()
    {
        await using var h = await CliHarness.StartAsync();
        var session = await h.CreateSessionAsync();
        using var http = h.Home.CreateHttpClient();

        using var byName = await http.PatchAsJsonAsync(new Uri($"/sessions/{session}", UriKind.Relative), new { name = "by name" });
        using var neither = await http.PatchAsJsonAsync(new Uri($"/sessions/{session}", UriKind.Relative), new { other = 1 });

        Assert.Equal(HttpStatusCode.OK, byName.StatusCode);
        Assert.Equal("by name", (await byName.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, neither.StatusCode);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task Delete_RefusesASessionWithARunningTask_ThenDeletesItOnceStopped()
    {
        await using var h = await CliHarness.StartAsync();
        h.Model.Script.EnqueueSlowText(300, TimeSpan.FromMilliseconds(100));
        var session = await h.CreateSessionAsync();
        using var http = h.Home.CreateHttpClient();
        await using var events = await SseClient.ConnectAsync(http, session);
        var taskId = (await h.Home.RunCheckedAsync("prompt", session, "Talk slowly", "--no-wait")).Trim();
        await events.WaitForAsync(e => e.Type == "message.delta" && e.Str("task_id") == taskId);

        var refused = await h.Home.RunAsync("session", "delete", session);
        await h.Home.RunCheckedAsync("task", "stop", taskId);
        var deleted = await h.Home.RunAsync("session", "delete", session);
        var gone = await h.Home.RunAsync("session", "show", session);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"({taskId}); stop it", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("(409)", refused.Stderr, StringComparison.Ordinal);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal($"session {session}: deleted", deleted.Stdout.Trim());
        Assert.Equal(1, gone.ExitCode);
        Assert.DoesNotContain(session, await h.Home.RunCheckedAsync("session", "list"), StringComparison.Ordinal);
    }
}

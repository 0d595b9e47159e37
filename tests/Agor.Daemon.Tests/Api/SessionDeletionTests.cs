using System.Net;

namespace Agor.Daemon.Tests.Api;

/// <summary><c>DELETE /sessions/{id}</c>: the session goes with its tasks, messages and agent home; never while it works; never through a symlink.</summary>
public sealed class SessionDeletionTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task IdleSession_IsDeleted_WithItsTasksMessagesAndAgentHome()
    {
        await using var h = await DaemonHarness.StartAsync();
        var session = await h.CreateSessionAsync();
        h.Model.Script.EnqueueText("Hello.");
        var task = await h.PromptAsync(session, "Say hello");
        await h.WaitForTaskEndAsync(task);
        var home = Path.Combine(h.Daemon.Home, "agent-homes", session);
        Directory.CreateDirectory(Path.Combine(home, ".claude"));
        await File.WriteAllTextAsync(Path.Combine(home, ".claude", "settings.json"), "{}");

        var deleted = await h.Daemon.Http.DeleteAsync(new Uri($"/sessions/{session}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.False(Directory.Exists(home));
        Assert.Equal(HttpStatusCode.NotFound, (await h.Daemon.Http.GetAsync(new Uri($"/sessions/{session}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await h.Daemon.Http.GetAsync(new Uri($"/tasks/{task}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await h.Daemon.Http.GetAsync(new Uri($"/sessions/{session}/messages", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await h.Daemon.Http.DeleteAsync(new Uri($"/sessions/{session}", UriKind.Relative))).StatusCode);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task RunningSession_Gets409_AndStaysWhole()
    {
        await using var h = await DaemonHarness.StartAsync();
        var session = await h.CreateSessionAsync();
        h.Model.Script.EnqueueSlowText(200, TimeSpan.FromMilliseconds(100));
        var task = await h.PromptAsync(session, "Talk slowly");
        await h.Events.WaitForAsync(e => e.Type == "message.delta" && e.Str("task_id") == task);

        var refused = await h.Daemon.Http.DeleteAsync(new Uri($"/sessions/{session}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("stop it", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await h.Daemon.PostAsync($"/tasks/{task}/stop");
        await h.WaitForTaskEndAsync(task);
        Assert.Equal(HttpStatusCode.NoContent, (await h.Daemon.Http.DeleteAsync(new Uri($"/sessions/{session}", UriKind.Relative))).StatusCode);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task AgentHomeThatIsASymlink_IsNotFollowed_WhatItPointsAtIsKept()
    {
        await using var h = await DaemonHarness.StartAsync();
        var session = await h.CreateSessionAsync();
        var elsewhere = Directory.CreateTempSubdirectory("agor-elsewhere-").FullName;
        try
        {
            var precious = Path.Combine(elsewhere, "precious.txt");
            await File.WriteAllTextAsync(precious, "keep me");
            Directory.CreateDirectory(Path.Combine(h.Daemon.Home, "agent-homes"));
            var link = Path.Combine(h.Daemon.Home, "agent-homes", session);
            File.CreateSymbolicLink(link, elsewhere);

            var deleted = await h.Daemon.Http.DeleteAsync(new Uri($"/sessions/{session}", UriKind.Relative));

            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            Assert.Equal("keep me", await File.ReadAllTextAsync(precious));
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task UnknownSession_Gets404()
    {
        await using var h = await DaemonHarness.StartAsync();

        var response = await h.Daemon.Http.DeleteAsync(new Uri("/sessions/ses_nope", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

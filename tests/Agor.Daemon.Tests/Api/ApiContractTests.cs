using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Agor.Testing.Daemon;

namespace Agor.Daemon.Tests.Api;

/// <summary>What a client sees for wrong tokens, bad bodies, unknown ids, and a resumed event stream.</summary>
public sealed class ApiContractTests
{
    [SkippableFact(Timeout = 60_000)]
    public async Task Health_NeedsNoToken_EverythingElseDoes()
    {
        await using var h = await DaemonHarness.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(h.Daemon.Address) };

        var health = await DaemonProcess.ReadAsync(await anonymous.GetAsync("/health"), 200);
        Assert.Equal("ok", health.GetProperty("status").GetString());

        foreach (var path in new[] { "/sessions", "/executors", "/audit", "/permissions", "/events" })
        {
            var missing = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        }

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/sessions");
        var token = h.Daemon.Token;
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token[..^1] + (token[^1] == '0' ? "1" : "0"));
        var refused = await anonymous.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("api-token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task BadBodiesAre400NamingTheField_UnknownIdsAre404()
    {
        await using var h = await DaemonHarness.StartAsync();
        var http = h.Daemon.Http;

        await AssertProblemAsync(await http.PostAsync("/sessions", Json("{not json")), 400, null);
        await AssertProblemAsync(await http.PostAsync("/sessions", Json("{}")), 400, "cwd");
        await AssertProblemAsync(await http.PostAsync("/sessions", Json("""{"cwd":"relative/dir"}""")), 400, "cwd");
        await AssertProblemAsync(await http.PostAsync("/sessions", Json("""{"cwd":"/no/such/dir/anywhere"}""")), 400, "cwd");
        await AssertProblemAsync(await http.PostAsync("/sessions", Json($$"""{"cwd":"{{h.WorkingDirectory}}","permission_mode":"yolo"}""")), 400, "permission_mode");
        await AssertProblemAsync(await http.PostAsync("/sessions", Json($$"""{"cwd":"{{h.WorkingDirectory}}","agent":"aider"}""")), 400, "agent");
        await AssertProblemAsync(await http.PostAsync("/sessions", new StringContent("cwd=/tmp", Encoding.UTF8, "text/plain")), 400, null);

        var session = await h.CreateSessionAsync();
        await AssertProblemAsync(await http.PostAsync($"/sessions/{session}/prompt", Json("""{"prompt":"   "}""")), 400, "prompt");
        await AssertProblemAsync(await http.PostAsync("/sessions/ses_missing/prompt", Json("""{"prompt":"hi"}""")), 404, null);
        await AssertProblemAsync(await http.GetAsync("/sessions/ses_missing"), 404, null);
        await AssertProblemAsync(await http.GetAsync("/tasks/task_missing"), 404, null);
        await AssertProblemAsync(await http.PostAsync("/tasks/task_missing/stop", null), 404, null);
        await AssertProblemAsync(await http.PostAsync("/permissions/perm_missing", Json("""{"decision":"allow"}""")), 404, null);
        await AssertProblemAsync(await http.PostAsync("/permissions/perm_missing", Json("""{"decision":"maybe"}""")), 400, "decision");
        await AssertProblemAsync(await http.GetAsync("/permissions?status=weird"), 400, "status");
        await AssertProblemAsync(await http.GetAsync("/audit?limit=0"), 400, "limit");
        await AssertProblemAsync(await http.GetAsync($"/sessions/{session}/messages?after_sequence=-1"), 400, "after_sequence");

        // Nothing of the bad requests was stored.
        Assert.Single((await h.Daemon.GetAsync("/sessions")).EnumerateArray());
        Assert.Empty((await h.Daemon.GetAsync($"/sessions/{session}/tasks")).EnumerateArray());
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task LastEventId_ResumesWithTheStoredEventsTheClientMissed()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Model.Script.EnqueueText("first").EnqueueText("second");
        var session = await h.CreateSessionAsync();
        var first = await h.PromptAsync(session, "one");
        await h.WaitForTaskEndAsync(first);
        var lastSeen = h.Events.Events.Where(e => e.Id is not null).Max(e => e.Id!.Value);

        var second = await h.PromptAsync(session, "two");
        await h.WaitForTaskEndAsync(second);
        await using var resumed = await SseClient.ConnectAsync(h.Daemon.Http, session, lastSeen);
        await resumed.WaitForTaskEndAsync(second);

        var replayed = resumed.Events.Where(e => e.Id is not null).ToList();
        Assert.All(replayed, e => Assert.True(e.Id > lastSeen));
        Assert.DoesNotContain(replayed, e => e.Str("task_id") == first || e.Str("id") == first);
        Assert.Equal(replayed.Select(e => e.Id), replayed.Select(e => e.Id).Order());
        var missed = h.Events.Events.Where(e => e.Id > lastSeen && e.Type != "executor.updated").Select(e => e.Id).ToList();
        Assert.Equal(missed, replayed.Where(e => e.Type != "executor.updated").Select(e => e.Id).Take(missed.Count));
        Assert.Contains(replayed, e => e.Type == "message.created" && e.Str("task_id") == second);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string? field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        if (field is not null)
        {
            Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        }
    }
}

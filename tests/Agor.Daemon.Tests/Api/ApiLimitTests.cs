using System.Net;
using System.Text;
using System.Text.Json;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Api;

/// <summary>The HTTP API bounds what it takes: titles, bodies, prompts; and it pages its listings.</summary>
public sealed class ApiLimitTests
{
    [SkippableFact(Timeout = 60_000)]
    public async Task ATitleOverTheLimit_Is400NamingTitle_ABodyOverTheLimitIs413_AndNothingIsStored()
    {
        await using var daemon = await StartAsync(o => o with { Daemon = ["max_request_body_bytes: 65536"] });
        var cwd = Path.GetTempPath();

        var tooLong = await daemon.Http.PostAsync("/sessions", Json(new { cwd, title = new string('t', 513) }));
        await AssertProblemAsync(tooLong, 400, "title");
        var huge = await daemon.Http.PostAsync("/sessions", Json(new { cwd, title = "fine", model = new string('m', 70_000) }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Empty((await daemon.GetAsync("/sessions")).EnumerateArray());

        var atLimit = await daemon.Http.PostAsync("/sessions", Json(new { cwd, title = new string('t', 512) }));
        Assert.Equal(512, (await DaemonProcess.ReadAsync(atLimit, 201)).GetProperty("title").GetString()!.Length);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task APromptLongerThanTheExecutorsLineCanCarry_Is400NamingPrompt_OneThatFitsRuns()
    {
        await using var h = await DaemonHarness.StartAsync(o => o with { Execution = ["max_line_bytes: 65536"] });
        var session = await h.CreateSessionAsync();

        // 10,000 characters, but 60,000 bytes as a JSON string on the executor's line: too long.
        var escaped = await h.Daemon.Http.PostAsync($"/sessions/{session}/prompt", Json(new { prompt = new string('é', 10_000) }));
        await AssertProblemAsync(escaped, 400, "prompt");
        var plain = await h.Daemon.Http.PostAsync($"/sessions/{session}/prompt", Json(new { prompt = new string('a', 60_000) }));
        await AssertProblemAsync(plain, 400, "prompt");
        Assert.Empty((await h.Daemon.GetAsync($"/sessions/{session}/tasks")).EnumerateArray());

        h.Model.Script.EnqueueText("Read it all.");
        var task = await h.PromptAsync(session, "Summarise: " + new string('a', 20_000));
        Assert.Equal("completed", (await h.WaitForTaskEndAsync(task)).GetProperty("status").GetString());
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task Listings_ArePagedByLimitAndCursor_AndTheCliStillListsEverything()
    {
        await using var daemon = await StartAsync(o => o with { Daemon = ["list_limit_default: 2", "list_limit_max: 50"] });
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await daemon.CreateSessionAsync(Path.GetTempPath())).GetProperty("id").GetString()!);
        }

        var pages = new List<int>();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            using var response = await daemon.Http.GetAsync(cursor is null ? "/sessions?limit=3" : $"/sessions?limit=3&cursor={Uri.EscapeDataString(cursor)}");
            var page = await DaemonProcess.ReadAsync(response, 200);
            pages.Add(page.GetArrayLength());
            seen.AddRange(page.EnumerateArray().Select(s => s.GetProperty("id").GetString()!));
            cursor = response.Headers.TryGetValues("Next-Cursor", out var values) ? values.Single() : null;
        }
        while (cursor is not null);

        Assert.Equal([3, 3, 1], pages);
        Assert.Equal(Enumerable.Reverse(created), seen);
        Assert.Equal(2, (await daemon.GetAsync("/sessions")).GetArrayLength());
        await AssertProblemAsync(await daemon.Http.GetAsync("/sessions?limit=51"), 400, "limit");
        await AssertProblemAsync(await daemon.Http.GetAsync("/sessions?cursor=not-a-cursor"), 400, "cursor");
        await AssertProblemAsync(await daemon.Http.GetAsync($"/sessions/{created[0]}/tasks?cursor=x"), 400, "cursor");
        await AssertProblemAsync(await daemon.Http.GetAsync("/permissions?limit=0"), 400, "limit");

        // The command line follows the cursors: every session, as before listings were paged.
        var run = await ProcessRunner.RunAsync(DaemonProcess.AgorPath, ["session", "list", "--json"], new Dictionary<string, string> { ["AGOR_HOME"] = daemon.Home });
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(Enumerable.Reverse(created), JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()!));
    }

    private static Task<DaemonProcess> StartAsync(Func<DaemonProcessOptions, DaemonProcessOptions> configure) =>
        DaemonProcess.StartAsync(configure(new DaemonProcessOptions { ModelBaseUrl = "http://127.0.0.1:9", ClaudePath = ClaudeCli.Require() }));

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(field, JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using Agor.Daemon.Tests.Api;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>
/// The gateway in the real daemon, with the real Claude Code CLI and the scripted model: the agent
/// holds only a placeholder, the model server gets the real key, and spend is measured and capped
/// at the gateway.
/// </summary>
public sealed class GatewayEndToEndTests
{
    [SkippableFact(Timeout = 120_000)]
    public async Task TheAgentsEnvironment_HoldsOnlyThePlaceholder_WhichIsDeadOnceTheTaskEnds()
    {
        await using var h = await DaemonHarness.StartAsync();
        await AssertOnlyThePlaceholderAsync(h, await h.CreateSessionAsync("bypassPermissions"));
    }

    /// <summary>The spec of the placeholder, for a session made by the caller (also with run_as_unix_user).</summary>
    internal static async Task AssertOnlyThePlaceholderAsync(DaemonHarness h, string session)
    {
        h.Model.Script.EnqueueToolUse("Bash", new { command = "env", description = "Print the environment" }, toolUseId: "toolu_env").EnqueueText("Done.");
        var taskId = await h.PromptAsync(session, "Print your environment");
        var task = await h.WaitForTaskEndAsync(taskId);

        Assert.Equal("completed", task.GetProperty("status").GetString());
        var env = Assert.Single(h.Model.ConversationRequests.SelectMany(r => r.ToolResults), t => t.ToolUseId == "toolu_env").Content;
        var key = Line(env, "ANTHROPIC_API_KEY");
        var baseUrl = Line(env, "ANTHROPIC_BASE_URL");
        Assert.StartsWith("agor-ph-", key, StringComparison.Ordinal);
        var gatewayUrl = GatewayUrl(h.Daemon.Log);
        var isolated = task.GetProperty("sandbox").GetProperty("namespaces").EnumerateArray().Any(n => n.GetString() == "net");
        Assert.True(isolated || !Agor.Testing.Support.Isolation.Required, "the agent did not get a network namespace of its own where the isolation tests are required");
        Assert.Equal(isolated ? "http://127.0.0.1:3129" : gatewayUrl, baseUrl.TrimEnd('/'));
        Assert.NotEqual(h.Model.BaseUrl.TrimEnd('/'), baseUrl.TrimEnd('/'));
        Assert.DoesNotContain(h.Options.ApiKey!, env, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Options.ApiKey!, h.Daemon.Log, StringComparison.Ordinal);

        // Every request the model server saw carried the real key, none the placeholder.
        Assert.NotEmpty(h.Model.Requests);
        Assert.All(h.Model.Requests, r => Assert.Equal(h.Options.ApiKey, r.ApiKey));
        Assert.DoesNotContain(h.Model.Requests, r => r.Headers.Values.Any(v => v.Contains(key, StringComparison.Ordinal)));

        // The task's usage is the gateway's measure of the server's answers (input: its estimate of each body).
        var expectedInput = h.Model.Requests.Where(r => r.Path == "/v1/messages").Sum(r => (long)Math.Max(1, r.BodyText.Length / 4));
        Assert.Equal(expectedInput, task.GetProperty("token_usage").GetProperty("input_tokens").GetInt64());
        Assert.True(task.GetProperty("cost_usd").GetDouble() > 0);

        // Each model request is in the task's egress record, with what the gateway measured.
        var models = (await h.Daemon.GetAsync($"/tasks/{taskId}/egress")).EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "model").ToList();
        Assert.Equal(h.Model.Requests.Count(r => r.Path == "/v1/messages"), models.Count);
        Assert.All(models, m => Assert.True(m.GetProperty("allowed").GetBoolean() && m.GetProperty("bytes_down").GetInt64() > 0, m.ToString()));
        Assert.All(models, m => Assert.StartsWith("model_request: POST /v1/messages -> 200;", m.GetProperty("reason").GetString(), StringComparison.Ordinal));

        // Replayed after the end: refused by the gateway, nothing reaches the model server.
        var seen = h.Model.Requests.Count;
        using var http = new HttpClient();
        using var replay = new HttpRequestMessage(HttpMethod.Post, gatewayUrl + "/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        replay.Headers.Add("x-api-key", key);
        using var refused = await http.SendAsync(replay);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("authentication_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(seen, h.Model.Requests.Count);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task ATaskOverItsCostCap_EndsBudgetExceeded_AndTheModelServerSeesNoFurtherRequest()
    {
        await using var h = await DaemonHarness.StartAsync(o => o with { Limits = [TinyCap] });
        await AssertBudgetExceededAsync(h, await h.CreateSessionAsync("bypassPermissions"));
    }

    internal const string TinyCap = "max_cost_usd_per_task: 0.000001";

    /// <summary>The spec of the cap, for a daemon started with <see cref="TinyCap"/>.</summary>
    internal static async Task AssertBudgetExceededAsync(DaemonHarness h, string session)
    {
        h.Model.Script.EnqueueToolUse("Bash", new { command = "echo hi", description = "Say hi" }).EnqueueText("Never sent.");
        var taskId = await h.PromptAsync(session, "Say hi in the shell");
        var task = await h.WaitForTaskEndAsync(taskId);

        Assert.Equal("failed", task.GetProperty("status").GetString());
        Assert.Equal("budget_exceeded", task.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("limits.max_cost_usd_per_task", task.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var conversation = Assert.Single(h.Model.ConversationRequests);
        Assert.Equal(0, conversation.TurnIndex);
        Assert.True(task.GetProperty("cost_usd").GetDouble() > 0.000001);
        var models = (await h.Daemon.GetAsync($"/tasks/{taskId}/egress")).EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "model").ToList();
        Assert.Contains(models, m => !m.GetProperty("allowed").GetBoolean() && m.GetProperty("reason").GetString()!.StartsWith("budget_exceeded", StringComparison.Ordinal));
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task AStreamedAnswer_ReachesTheEventStream_BeforeTheModelHasFinished()
    {
        await using var h = await DaemonHarness.StartAsync();
        await AssertStreamsChunkByChunkAsync(h, await h.CreateSessionAsync());
    }

    /// <summary>The spec of streaming through the gateway, for a session made by the caller.</summary>
    internal static async Task AssertStreamsChunkByChunkAsync(DaemonHarness h, string session)
    {
        h.Model.Script.EnqueuePacedText(TimeSpan.FromMilliseconds(150), "one", " two", " three", " four", " five", " six", " seven", " eight");
        var taskId = await h.PromptAsync(session, "Talk slowly");
        await h.Events.WaitForAsync(e => e.Type == "message.delta" && e.Str("task_id") == taskId);
        var conversation = h.Model.ConversationRequests.Single(r => r.TurnIndex == 0);

        Assert.False(conversation.Outcome.IsCompleted, "the first delta reached the event stream only after the model had finished");
        Assert.Equal("completed", (await h.WaitForTaskEndAsync(taskId)).GetProperty("status").GetString());
    }

    /// <summary>The gateway's loopback address, as the daemon logged it at start.</summary>
    internal static string GatewayUrl(string daemonLog) =>
        System.Text.RegularExpressions.Regex.Match(daemonLog, @"Model gateway listening on (http://127\.0\.0\.1:\d+)") is { Success: true } m
            ? m.Groups[1].Value
            : throw new Xunit.Sdk.XunitException("the daemon did not log the gateway's address:\n" + daemonLog);

    private static string Line(string env, string name) =>
        env.Split('\n').Select(l => l.TrimEnd('\r')).SingleOrDefault(l => l.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..]
        ?? throw new Xunit.Sdk.XunitException($"{name} is not in the agent's environment:\n{env}");
}

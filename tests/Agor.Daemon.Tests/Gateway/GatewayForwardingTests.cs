using System.Net;
using System.Text.Json;
using Agor.Daemon.Configuration;
using Agor.Daemon.Gateway;
using Agor.Testing.ScriptedModel;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>
/// The gateway as a prompt-injected agent meets it: only a live placeholder gets through, the
/// upstream sees the real key and never the placeholder, answers stream through unbuffered, usage
/// is what the upstream sent, and a spent budget stops requests before the upstream.
/// </summary>
public sealed class GatewayForwardingTests
{
    [Fact(Timeout = 30_000)]
    public async Task ForgedOrMissingPlaceholders_Get401_AndTheUpstreamSeesNothing()
    {
        await using var f = await GatewayFixture.StartAsync();
        var task = new GatewayTask("task_a", "sess_a", 0, 0, 0);
        var real = f.Gateway.Placeholders.Mint(task, "anthropic");
        var forged = real[..^4] + (real.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        foreach (var key in new[] { forged, "agor-ph-", GatewayFixture.RealKey, "" })
        {
            using var response = await f.Http.SendAsync(GatewayFixture.MessagesRequest(key));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("error", body.RootElement.GetProperty("type").GetString());
            Assert.Equal("authentication_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        }

        using var bearer = new HttpRequestMessage(HttpMethod.Post, "/v1/messages");
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Http.SendAsync(bearer)).StatusCode);
        Assert.Empty(f.Model.Requests);
    }

    [Fact(Timeout = 30_000)]
    public async Task ALivePlaceholder_IsSwappedForTheRealKey_AndOnlyTheMessagesApiIsOpen()
    {
        await using var f = await GatewayFixture.StartAsync();
        var placeholder = f.Gateway.Placeholders.Mint(new GatewayTask("task_b", "sess_b", 0, 0, 0), "anthropic");
        f.Model.Script.EnqueueText("Hello");

        using var response = await f.Http.SendAsync(GatewayFixture.MessagesRequest(placeholder));
        await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(f.Model.Requests);
        Assert.Equal(GatewayFixture.RealKey, seen.ApiKey);
        Assert.Equal("?beta=true", seen.QueryString);
        Assert.DoesNotContain(seen.Headers, h => h.Value.Contains(placeholder, StringComparison.Ordinal));
        Assert.Null(seen.GetHeader("x-hop"));

        // Another path would put the real key to another use: refused before the upstream.
        using var other = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        other.Headers.Add("x-api-key", placeholder);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Http.SendAsync(other)).StatusCode);
        Assert.Single(f.Model.Requests);
    }

    [Fact(Timeout = 30_000)]
    public async Task ARevokedPlaceholder_Gets401_AndTheUpstreamSeesNothing()
    {
        await using var f = await GatewayFixture.StartAsync();
        var task = new GatewayTask("task_c", "sess_c", 0, 0, 0);
        var placeholder = f.Gateway.Placeholders.Mint(task, "anthropic");
        f.Gateway.Placeholders.Revoke(task);

        using var response = await f.Http.SendAsync(GatewayFixture.MessagesRequest(placeholder));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(f.Model.Requests);
        Assert.Equal(0, f.Gateway.Placeholders.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task AStreamedAnswer_ArrivesChunkByChunk_AndItsUsageIsWhatTheUpstreamSent()
    {
        await using var f = await GatewayFixture.StartAsync();
        var task = new GatewayTask("task_d", "sess_d", 0, 0, 0);
        var placeholder = f.Gateway.Placeholders.Mint(task, "anthropic");
        f.Model.Script.EnqueuePacedText(TimeSpan.FromMilliseconds(200), "one", " two", " three", " four", " five");

        using var response = await f.Http.SendAsync(GatewayFixture.MessagesRequest(placeholder), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var firstDeltaBeforeTheModelFinished = (bool?)null;
        long? input = null;
        long? output = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            using var data = JsonDocument.Parse(line[5..]);
            var type = data.RootElement.GetProperty("type").GetString();
            if (type == "content_block_delta" && firstDeltaBeforeTheModelFinished is null)
            {
                firstDeltaBeforeTheModelFinished = !Assert.Single(f.Model.Requests).Outcome.IsCompleted;
            }
            else if (type == "message_start")
            {
                input = data.RootElement.GetProperty("message").GetProperty("usage").GetProperty("input_tokens").GetInt64();
            }
            else if (type == "message_delta")
            {
                output = data.RootElement.GetProperty("usage").GetProperty("output_tokens").GetInt64();
            }
        }

        Assert.True(firstDeltaBeforeTheModelFinished, "the first delta reached the client only after the model had finished: the gateway buffered");
        var spent = task.Spent();
        Assert.NotNull(spent);
        Assert.Equal(input, spent.Value.Usage.InputTokens);
        Assert.Equal(output, spent.Value.Usage.OutputTokens);
        Assert.Equal(PriceTable.Cost("claude-sonnet-4-5", new ModelUsage(input!.Value, output!.Value, 0, 0)), spent.Value.CostUsd, 12);
    }

    [Fact(Timeout = 30_000)]
    public async Task ANonStreamedAnswer_IsMeteredFromItsJsonUsage()
    {
        await using var f = await GatewayFixture.StartAsync();
        var task = new GatewayTask("task_e", "sess_e", 0, 0, 0);
        var placeholder = f.Gateway.Placeholders.Mint(task, "anthropic");

        using var response = await f.Http.SendAsync(GatewayFixture.MessagesRequest(placeholder, stream: false));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var usage = body.RootElement.GetProperty("usage");
        Assert.Equal(usage.GetProperty("input_tokens").GetInt64(), task.Spent()!.Value.Usage.InputTokens);
        Assert.Equal(usage.GetProperty("output_tokens").GetInt64(), task.Spent()!.Value.Usage.OutputTokens);
    }

    [Fact(Timeout = 30_000)]
    public async Task OnceTheTaskCapIsReached_RequestsAreRefusedBeforeTheUpstream_WithTheCapNamed()
    {
        await using var f = await GatewayFixture.StartAsync(new LimitSettings { MaxCostUsdPerTask = 0.000001 });
        var task = new GatewayTask("task_f", "sess_f", 0, 0.000001, 0);
        var placeholder = f.Gateway.Placeholders.Mint(task, "anthropic");
        f.Model.Script.EnqueueText("first").EnqueueText("second");

        using var first = await f.Http.SendAsync(GatewayFixture.MessagesRequest(placeholder));
        await first.Content.ReadAsStringAsync();
        using var second = await f.Http.SendAsync(GatewayFixture.MessagesRequest(placeholder));
        using var refusal = JsonDocument.Parse(await second.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal("invalid_request_error", refusal.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("limits.max_cost_usd_per_task", refusal.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Single(f.Model.Requests);
        Assert.NotNull(task.BudgetRefusal);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheSessionCap_CountsWhatTheSessionSpentBefore()
    {
        await using var f = await GatewayFixture.StartAsync();
        var task = new GatewayTask("task_g", "sess_g", sessionSpentBefore: 5, maxCostPerTask: 0, maxCostPerSession: 5);
        var placeholder = f.Gateway.Placeholders.Mint(task, "anthropic");

        using var response = await f.Http.SendAsync(GatewayFixture.MessagesRequest(placeholder));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("limits.max_cost_usd_per_session", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(f.Model.Requests);
    }

    [Fact(Timeout = 30_000)]
    public async Task ABodyOverTheLimit_IsRefused_AndNotForwarded()
    {
        await using var f = await GatewayFixture.StartAsync(network: new NetworkSettings { GatewayMaxRequestBytes = 1024 });
        var placeholder = f.Gateway.Placeholders.Mint(new GatewayTask("task_h", "sess_h", 0, 0, 0), "anthropic");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new ByteArrayContent(new byte[4096]) };
        request.Headers.Add("x-api-key", placeholder);

        using var response = await f.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("network.gateway_max_request_bytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(f.Model.Requests);
    }
}

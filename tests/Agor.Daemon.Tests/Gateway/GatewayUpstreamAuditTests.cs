using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Agor.Daemon.Gateway;
using Agor.Daemon.Tests.Storage;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>
/// The task's egress record of its model requests through the OpenAI and Gemini routes, in the real
/// store: forwarded ones name their upstream and what it used, refused ones why; no key, no placeholder.
/// </summary>
public sealed class GatewayUpstreamAuditTests : StoreFixture
{
    [Fact(Timeout = 30_000)]
    public async Task ForwardedAndRefusedRequests_AreRecordedOnTheTask_WithTheirUpstream()
    {
        await CreateTaskAsync("sess_au", "task_au");
        await using var f = await ThreeUpstreamsFixture.StartAsync(Store.Egress);
        var task = new GatewayTask("task_au", "sess_au", 0, 0, 0);
        var openAi = f.Gateway.Placeholders.Mint(task, "openai");
        f.OpenAi.Enqueue(UpstreamAnswer.Json("""{"model":"gpt-5","usage":{"input_tokens":10,"output_tokens":2}}"""));

        using (var forwarded = await f.Http.SendAsync(Post("/v1/responses", bearer: openAi)))
        {
            Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        }

        using (var wrongService = await f.Http.SendAsync(Post("/v1beta/models/gemini-2.5-pro:generateContent", googKey: openAi)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongService.StatusCode);
        }

        using (var files = await f.Http.SendAsync(Post("/v1/files", bearer: openAi)))
        {
            Assert.Equal(HttpStatusCode.NotFound, files.StatusCode);
        }

        var records = (await Store.Egress.ListForTaskAsync("task_au", 100, null)).Items;
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal(GatewayAudit.Kind, r.Kind));
        var openAiPort = new Uri(f.OpenAi.BaseUrl).Port;
        Assert.Collection(
            records,
            r => Assert.Equal((true, openAiPort, "model_request: POST /v1/responses -> 200; 10 in, 2 out tokens, 0.000033 USD (openai)"), (r.Allowed, r.Port, r.Reason)),
            r => Assert.Equal((false, new Uri(f.Google.BaseUrl).Port, true), (r.Allowed, r.Port, r.Reason.StartsWith("wrong_service: a openai placeholder presented for google", StringComparison.Ordinal))),
            r => Assert.Equal((false, openAiPort, "path_not_allowed: POST /v1/files"), (r.Allowed, r.Port, r.Reason)));
        Assert.All(records, r => Assert.DoesNotContain(openAi, r.Reason, StringComparison.Ordinal));
        Assert.All(records, r => Assert.DoesNotContain(ThreeUpstreamsFixture.OpenAiKey, r.Reason, StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task WithOnlyAnOpenAiKey_TheGatewayStarts_AndServesOpenAiAlone()
    {
        var upstream = await ScriptedUpstream.StartAsync();
        await using var _ = upstream;
        var config = new Agor.Daemon.Configuration.AgorConfig
        {
            Home = Path.GetTempPath(),
            Credentials = new Agor.Daemon.Configuration.CredentialSettings
            {
                Services = new Dictionary<string, Agor.Daemon.Configuration.ServiceCredential>(StringComparer.Ordinal) { ["openai"] = new("sk-only-openai", upstream.BaseUrl) },
            },
        };
        var none = config with { Credentials = new Agor.Daemon.Configuration.CredentialSettings() };
        Assert.Null(await ModelGateway.StartAsync(none, null, null, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None));

        await using var gateway = (await ModelGateway.StartAsync(config, null, null, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None))!;
        Assert.True(gateway.Serves("openai"));
        Assert.False(gateway.Serves("anthropic"));
        Assert.False(gateway.Serves("google"));

        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url) };
        var placeholder = gateway.Placeholders.Mint(new GatewayTask("task_o", "sess_o", 0, 0, 0), "anthropic");
        using var messages = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        messages.Headers.Add("x-api-key", placeholder);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(messages)).StatusCode);
        Assert.Empty(upstream.Requests);
    }

    private static HttpRequestMessage Post(string path, string? bearer = null, string? googKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (googKey is not null)
        {
            request.Headers.Add("x-goog-api-key", googKey);
        }

        return request;
    }
}

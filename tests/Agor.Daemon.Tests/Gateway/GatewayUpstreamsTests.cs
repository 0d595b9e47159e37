using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Agor.Daemon.Gateway;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>
/// The gateway's OpenAI Responses and Gemini routes as a prompt-injected agent meets them: a live
/// placeholder gets through only in its own API's header and only on its own service's paths, the
/// upstream sees the real key and never the placeholder, the answer streams back as sent, and the
/// task is charged what the upstream's own answer says it used.
/// </summary>
public sealed class GatewayUpstreamsTests
{
    private const string ResponsesRequest = """{"model":"gpt-5","stream":true,"store":false,"input":[{"role":"user","content":"Say something"}]}""";
    private const string GeminiRequest = """{"contents":[{"role":"user","parts":[{"text":"Say something"}]}]}""";

    private static readonly string[] ResponsesStream =
    [
        """{"type":"response.created","response":{"id":"resp_1","model":"gpt-5","status":"in_progress"}}""",
        """{"type":"response.output_text.delta","delta":"Hello"}""",
        """{"type":"response.completed","response":{"id":"resp_1","model":"gpt-5","status":"completed","usage":{"input_tokens":1000,"input_tokens_details":{"cached_tokens":400},"output_tokens":200,"total_tokens":1200}}}""",
    ];

    private static readonly string[] GeminiStream =
    [
        """{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"usageMetadata":{"promptTokenCount":900,"candidatesTokenCount":1},"modelVersion":"gemini-2.5-flash"}""",
        """{"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":900,"cachedContentTokenCount":300,"candidatesTokenCount":50,"thoughtsTokenCount":10},"modelVersion":"gemini-2.5-flash"}""",
    ];

    [Fact(Timeout = 30_000)]
    public async Task AnOpenAiPlaceholder_AsBearer_IsSwappedForTheRealKey_AndTheTaskIsChargedTheResponsesUsage()
    {
        await using var f = await ThreeUpstreamsFixture.StartAsync();
        var task = new GatewayTask("task_oa", "sess_oa", 0, 0, 0);
        var placeholder = f.Gateway.Placeholders.Mint(task, "openai");
        f.OpenAi.Enqueue(UpstreamAnswer.Sse(ResponsesStream));

        using var response = await f.Http.SendAsync(OpenAiRequest(placeholder));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Concat(ResponsesStream.Select(e => $"data: {e}\n\n")), body);
        var seen = Assert.Single(f.OpenAi.Requests);
        Assert.Equal(("POST", "/v1/responses"), (seen.Method, seen.Path));
        Assert.Equal("Bearer " + ThreeUpstreamsFixture.OpenAiKey, seen.Header("authorization"));
        Assert.Equal("thread-7", seen.Header("session-id"));
        Assert.Equal(ResponsesRequest, seen.Body);
        Assert.DoesNotContain(seen.Headers, h => h.Value.Contains(placeholder, StringComparison.Ordinal));
        Assert.Null(seen.Header("x-api-key"));
        Assert.DoesNotContain(ThreeUpstreamsFixture.OpenAiKey, body + response.Headers, StringComparison.Ordinal);
        Assert.Empty(f.Anthropic.Requests);
        Assert.Empty(f.Google.Requests);

        // Cached input is taken out of input_tokens and priced at the cached rate.
        var spent = task.Spent();
        Assert.NotNull(spent);
        Assert.Equal((600L, 200L, 0L, 400L), (spent.Value.Usage.InputTokens, spent.Value.Usage.OutputTokens, spent.Value.Usage.CacheCreationInputTokens, spent.Value.Usage.CacheReadInputTokens));
        Assert.Equal(((600 * 1.25) + (200 * 10.0) + (400 * 0.125)) / 1_000_000, spent.Value.CostUsd, 12);
    }

    [Fact(Timeout = 30_000)]
    public async Task AGooglePlaceholder_InXGoogApiKey_IsSwappedForTheRealKey_AndTheLastChunksUsageCounts()
    {
        await using var f = await ThreeUpstreamsFixture.StartAsync();
        var task = new GatewayTask("task_ge", "sess_ge", 0, 0, 0);
        var placeholder = f.Gateway.Placeholders.Mint(task, "google");
        f.Google.Enqueue(UpstreamAnswer.Sse(GeminiStream));

        using var response = await f.Http.SendAsync(GoogleRequest(placeholder, "gemini-2.5-flash:streamGenerateContent?alt=sse"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Concat(GeminiStream.Select(e => $"data: {e}\n\n")), body);
        var seen = Assert.Single(f.Google.Requests);
        Assert.Equal(("/v1beta/models/gemini-2.5-flash:streamGenerateContent", "?alt=sse"), (seen.Path, seen.Query));
        Assert.Equal(ThreeUpstreamsFixture.GoogleKey, seen.Header("x-goog-api-key"));
        Assert.DoesNotContain(seen.Headers, h => h.Value.Contains(placeholder, StringComparison.Ordinal));
        Assert.DoesNotContain(ThreeUpstreamsFixture.GoogleKey, body + response.Headers, StringComparison.Ordinal);

        // The last usageMetadata replaces the first; thinking tokens are billed as output.
        var spent = task.Spent();
        Assert.NotNull(spent);
        Assert.Equal((600L, 60L, 300L), (spent.Value.Usage.InputTokens, spent.Value.Usage.OutputTokens, spent.Value.Usage.CacheReadInputTokens));
        Assert.Equal(((600 * 0.3) + (60 * 2.5) + (300 * 0.03)) / 1_000_000, spent.Value.CostUsd, 12);
    }

    [Fact(Timeout = 30_000)]
    public async Task PlainJsonAnswers_AreMeteredToo_ForGenerateContentAndResponses()
    {
        await using var f = await ThreeUpstreamsFixture.StartAsync();
        var task = new GatewayTask("task_js", "sess_js", 0, 0, 0);
        f.Google.Enqueue(UpstreamAnswer.Json("""{"candidates":[{"content":{"parts":[{"text":"{}"}]}}],"usageMetadata":{"promptTokenCount":120,"candidatesTokenCount":8},"modelVersion":"gemini-2.5-flash-lite"}"""));
        f.OpenAi.Enqueue(UpstreamAnswer.Json("""{"id":"resp_2","model":"gpt-5-mini","usage":{"input_tokens":50,"output_tokens":5}}"""));

        using var side = await f.Http.SendAsync(GoogleRequest(f.Gateway.Placeholders.Mint(task, "google"), "gemini-2.5-flash-lite:generateContent"));
        using var plain = await f.Http.SendAsync(OpenAiRequest(f.Gateway.Placeholders.Mint(task, "openai")));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (side.StatusCode, plain.StatusCode));
        var spent = task.Spent();
        Assert.NotNull(spent);
        Assert.Equal((170L, 13L), (spent.Value.Usage.InputTokens, spent.Value.Usage.OutputTokens));
        Assert.Equal(((120 * 0.1) + (8 * 0.4) + (50 * 0.25) + (5 * 2.0)) / 1_000_000, spent.Value.CostUsd, 12);
    }

    [Fact(Timeout = 30_000)]
    public async Task APlaceholder_InAnotherApisHeader_OrOfAnotherService_Gets401_AndNoUpstreamSeesAnything()
    {
        await using var f = await ThreeUpstreamsFixture.StartAsync();
        var task = new GatewayTask("task_x", "sess_x", 0, 0, 0);
        var openAi = f.Gateway.Placeholders.Mint(task, "openai");
        var google = f.Gateway.Placeholders.Mint(task, "google");
        var anthropic = f.Gateway.Placeholders.Mint(task, "anthropic");

        // The right service's placeholder, in the wrong header.
        var wrongHeader = OpenAiRequest(null);
        wrongHeader.Headers.Add("x-api-key", openAi);
        await AssertOpenAiRefusalAsync(await f.Http.SendAsync(wrongHeader), HttpStatusCode.Unauthorized);
        var bearerToGemini = GoogleRequest(null, "gemini-2.5-pro:streamGenerateContent?alt=sse");
        bearerToGemini.Headers.Authorization = new AuthenticationHeaderValue("Bearer", google);
        await AssertGoogleRefusalAsync(await f.Http.SendAsync(bearerToGemini), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");

        // Another service's placeholder, in the right header: the task is known, the service is not its.
        await AssertGoogleRefusalAsync(await f.Http.SendAsync(GoogleRequest(openAi, "gemini-2.5-pro:streamGenerateContent?alt=sse")), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await AssertOpenAiRefusalAsync(await f.Http.SendAsync(OpenAiRequest(google)), HttpStatusCode.Unauthorized);
        await AssertOpenAiRefusalAsync(await f.Http.SendAsync(OpenAiRequest(anthropic)), HttpStatusCode.Unauthorized);
        using var messages = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        messages.Headers.Add("x-api-key", openAi);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Http.SendAsync(messages)).StatusCode);

        // The real key of one service, presented as if it were a placeholder, is no better.
        await AssertOpenAiRefusalAsync(await f.Http.SendAsync(OpenAiRequest(ThreeUpstreamsFixture.OpenAiKey)), HttpStatusCode.Unauthorized);

        Assert.Empty(f.AllRequests);
        Assert.Null(task.Spent());
    }

    [Fact(Timeout = 30_000)]
    public async Task RevokedOrForgedPlaceholders_Get401_OnEveryUpstream()
    {
        await using var f = await ThreeUpstreamsFixture.StartAsync();
        var task = new GatewayTask("task_r", "sess_r", 0, 0, 0);
        var openAi = f.Gateway.Placeholders.Mint(task, "openai");
        var google = f.Gateway.Placeholders.Mint(task, "google");
        var forged = openAi[..^4] + (openAi.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        await AssertOpenAiRefusalAsync(await f.Http.SendAsync(OpenAiRequest(forged)), HttpStatusCode.Unauthorized);

        f.Gateway.Placeholders.Revoke(task);

        await AssertOpenAiRefusalAsync(await f.Http.SendAsync(OpenAiRequest(openAi)), HttpStatusCode.Unauthorized);
        await AssertGoogleRefusalAsync(await f.Http.SendAsync(GoogleRequest(google, "gemini-2.5-pro:generateContent")), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Empty(f.AllRequests);
        Assert.Equal(0, f.Gateway.Placeholders.Count);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("openai", "GET", "/v1/models")]
    [InlineData("openai", "POST", "/v1/files")]
    [InlineData("openai", "POST", "/v1/fine_tuning/jobs")]
    [InlineData("openai", "POST", "/v1/chat/completions")]
    [InlineData("openai", "GET", "/v1/responses")]
    [InlineData("openai", "POST", "/v1/responses/resp_1/cancel")]
    [InlineData("openai", "POST", "/v1/responses/")]
    [InlineData("google", "GET", "/v1beta/models")]
    [InlineData("google", "POST", "/v1beta/models/gemini-2.5-pro:countTokens")]
    [InlineData("google", "POST", "/v1beta/files")]
    [InlineData("google", "POST", "/v1beta/tunedModels")]
    [InlineData("google", "POST", "/v1/models/gemini-2.5-pro:generateContent")]
    [InlineData("google", "POST", "/v1beta/models/%2e%2e%2ffiles:generateContent")]
    [InlineData("google", "POST", "/v1beta/models/gemini-2.5-pro:generateContent/x")]
    [InlineData("google", "GET", "/v1beta/models/gemini-2.5-pro:generateContent")]
    public async Task APathOutsideTheServicesAllowList_Gets404_AndNoUpstreamSeesIt(string service, string method, string path)
    {
        await using var f = await ThreeUpstreamsFixture.StartAsync();
        var placeholder = f.Gateway.Placeholders.Mint(new GatewayTask("task_p", "sess_p", 0, 0, 0), service);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (service == "openai")
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", placeholder);
        }
        else
        {
            request.Headers.Add("x-goog-api-key", placeholder);
        }

        using var response = await f.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("forwards only", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(f.AllRequests);
    }

    [Fact(Timeout = 30_000)]
    public async Task APlaceholderInTheKeyQueryParameter_IsNeverSentUpstream()
    {
        await using var f = await ThreeUpstreamsFixture.StartAsync();
        var placeholder = f.Gateway.Placeholders.Mint(new GatewayTask("task_q", "sess_q", 0, 0, 0), "google");
        f.Google.Enqueue(UpstreamAnswer.Sse(GeminiStream));

        using var response = await f.Http.SendAsync(GoogleRequest(placeholder, $"gemini-2.5-flash:streamGenerateContent?alt=sse&key={placeholder}"));
        await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(f.Google.Requests);
        Assert.Equal("?alt=sse", seen.Query);
        Assert.DoesNotContain(placeholder, seen.Query + string.Concat(seen.Headers.Values), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ASpentTaskBudget_StopsTheNextRequest_OnEachUpstream_BeforeItLeaves()
    {
        await using var f = await ThreeUpstreamsFixture.StartAsync();

        // 0.000001 USD: the first answer of each spends more, the second request is refused.
        var openAiTask = new GatewayTask("task_bo", "sess_bo", 0, 0.000001, 0);
        var googleTask = new GatewayTask("task_bg", "sess_bg", 0, 0.000001, 0);
        var openAi = f.Gateway.Placeholders.Mint(openAiTask, "openai");
        var google = f.Gateway.Placeholders.Mint(googleTask, "google");
        f.OpenAi.Enqueue(UpstreamAnswer.Sse(ResponsesStream)).Enqueue(UpstreamAnswer.Sse(ResponsesStream));
        f.Google.Enqueue(UpstreamAnswer.Sse(GeminiStream)).Enqueue(UpstreamAnswer.Sse(GeminiStream));

        using (var first = await f.Http.SendAsync(OpenAiRequest(openAi)))
        {
            await first.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var first = await f.Http.SendAsync(GoogleRequest(google, "gemini-2.5-flash:streamGenerateContent?alt=sse")))
        {
            await first.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var openAiMessage = await AssertOpenAiRefusalAsync(await f.Http.SendAsync(OpenAiRequest(openAi)), HttpStatusCode.BadRequest);
        var googleMessage = await AssertGoogleRefusalAsync(await f.Http.SendAsync(GoogleRequest(google, "gemini-2.5-flash:streamGenerateContent?alt=sse")), HttpStatusCode.BadRequest, "INVALID_ARGUMENT");

        Assert.Contains("max_cost_usd_per_task", openAiMessage, StringComparison.Ordinal);
        Assert.Contains("max_cost_usd_per_task", googleMessage, StringComparison.Ordinal);
        Assert.Single(f.OpenAi.Requests);
        Assert.Single(f.Google.Requests);
        Assert.NotNull(openAiTask.BudgetRefusal);
        Assert.NotNull(googleTask.BudgetRefusal);
    }

    private static HttpRequestMessage OpenAiRequest(string? placeholder)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new StringContent(ResponsesRequest, Encoding.UTF8, "application/json") };
        if (placeholder is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", placeholder);
        }

        request.Headers.Add("session-id", "thread-7");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return request;
    }

    private static HttpRequestMessage GoogleRequest(string? placeholder, string modelAndQuery)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1beta/models/" + modelAndQuery) { Content = new StringContent(GeminiRequest, Encoding.UTF8, "application/json") };
        if (placeholder is not null)
        {
            request.Headers.Add("x-goog-api-key", placeholder);
        }

        return request;
    }

    /// <summary>OpenAI's error shape, which Codex shows; returns the message.</summary>
    private static async Task<string> AssertOpenAiRefusalAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return body.RootElement.GetProperty("error").GetProperty("message").GetString()!;
        }
    }

    /// <summary>Google's error shape, which the Gemini CLI shows; returns the message.</summary>
    private static async Task<string> AssertGoogleRefusalAsync(HttpResponseMessage response, HttpStatusCode status, string googleStatus)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var error = body.RootElement.GetProperty("error");
            Assert.Equal((int)status, error.GetProperty("code").GetInt32());
            Assert.Equal(googleStatus, error.GetProperty("status").GetString());
            return error.GetProperty("message").GetString()!;
        }
    }
}

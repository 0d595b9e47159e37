using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agor.Testing.ScriptedModel;
using Agor.Testing.Support;
using Agor.Testing.Tests.Support;

namespace Agor.Testing.Tests.ScriptedModel;

/// <summary>The scripted model server's wire format and bookkeeping, checked with a bare HTTP client.</summary>
public sealed class ScriptedModelServerSpecs
{
    private const int TimeoutMs = 15_000;

    [Fact(Timeout = TimeoutMs)]
    public async Task StreamingTextTurn_EmitsTheMessagesApiEventSequence()
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = await ScriptedModelServer.StartAsync(timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);
        server.Script.EnqueueText("Hel", "lo");

        var events = await client.StreamAsync(MessagesApiClient.Body("hi", stream: true), timeout.Token);

        Assert.Equal(
            ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        var message = events[0].Data.GetProperty("message");
        Assert.StartsWith("msg_", message.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("claude-test-model", message.GetProperty("model").GetString());
        Assert.True(message.GetProperty("usage").GetProperty("input_tokens").GetInt32() > 0);
        Assert.Equal("text", events[2].Data.GetProperty("content_block").GetProperty("type").GetString());
        Assert.Equal(["Hel", "lo"], events.Where(e => e.Name == "content_block_delta").Select(e => e.Data.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal("end_turn", events[6].Data.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.True(events[6].Data.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);
        var request = Assert.Single(server.Requests);
        Assert.Equal(RecordedRequestKind.Conversation, request.Kind);
        Assert.Equal(0, request.TurnIndex);
        Assert.Equal(RecordedResponseOutcome.Completed, await request.Outcome.WaitAsync(timeout.Token));
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task ToolUseTurn_StreamsLeadingTextThenTheInputAsJsonDeltas()
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = await ScriptedModelServer.StartAsync(timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);
        server.Script.EnqueueToolUse("Bash", new { command = "touch ünïcode-😀.txt", description = "Create a file" }, leadingText: "Running it.");

        var events = await client.StreamAsync(MessagesApiClient.Body("go", stream: true), timeout.Token);

        var starts = events.Where(e => e.Name == "content_block_start").Select(e => e.Data).ToList();
        Assert.Equal(2, starts.Count);
        Assert.Equal("text", starts[0].GetProperty("content_block").GetProperty("type").GetString());
        var toolBlock = starts[1].GetProperty("content_block");
        Assert.Equal(1, starts[1].GetProperty("index").GetInt32());
        Assert.Equal("tool_use", toolBlock.GetProperty("type").GetString());
        Assert.Equal("Bash", toolBlock.GetProperty("name").GetString());
        Assert.StartsWith("toolu_", toolBlock.GetProperty("id").GetString(), StringComparison.Ordinal);
        var json = string.Concat(events
            .Where(e => e.Name == "content_block_delta" && e.Data.GetProperty("index").GetInt32() == 1)
            .Select(e => e.Data.GetProperty("delta").GetProperty("partial_json").GetString()));
        var input = JsonNode.Parse(json)!;
        Assert.Equal("touch ünïcode-😀.txt", (string?)input["command"]);
        Assert.Equal("tool_use", events.Single(e => e.Name == "message_delta").Data.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Theory(Timeout = TimeoutMs)]
    [InlineData(401, "authentication_error", "invalid x-api-key")]
    [InlineData(529, "overloaded_error", "Overloaded")]
    [InlineData(500, "api_error", "Internal server error")]
    public async Task ErrorTurn_AnswersWithTheStatusAndAnAnthropicErrorBody(int status, string errorType, string message)
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = await ScriptedModelServer.StartAsync(timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);
        server.Script.EnqueueError(status);

        using var response = await client.PostAsync("/v1/messages", MessagesApiClient.Body("hi", stream: true), timeout.Token);
        var body = await MessagesApiClient.ReadJsonAsync(response, timeout.Token);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal(errorType, body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(message, body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task NonStreamingMessage_GetsTheCannedReply_AndLeavesTheScriptAlone()
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = await ScriptedModelServer.StartAsync(timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);
        server.Script.EnqueueText("scripted");

        using var response = await client.PostAsync("/v1/messages?beta=true", MessagesApiClient.Body("Hi", stream: false, maxTokens: 1), timeout.Token);
        var message = await MessagesApiClient.ReadJsonAsync(response, timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("OK", message.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("max_tokens", message.GetProperty("stop_reason").GetString());
        Assert.Equal(1, server.Script.PendingCount);
        Assert.Equal(RecordedRequestKind.NonStreamingMessage, Assert.Single(server.Requests).Kind);
        Assert.Empty(server.ConversationRequests);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task EmptyScript_StreamsTheDefaultReply()
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = await ScriptedModelServer.StartAsync(new ScriptedModelServerOptions { DefaultReplyText = "fallback" }, timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);

        var events = await client.StreamAsync(MessagesApiClient.Body("hi", stream: true), timeout.Token);

        Assert.Equal("fallback", events.Single(e => e.Name == "content_block_delta").Data.GetProperty("delta").GetProperty("text").GetString());
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task CountTokensHeadAndUnknownPaths_AreAnsweredAndRecorded()
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = await ScriptedModelServer.StartAsync(timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);

        using var count = await client.PostAsync("/v1/messages/count_tokens?beta=true", MessagesApiClient.Body("hi", stream: false), timeout.Token);
        using var head = await client.SendAsync(HttpMethod.Head, "/", timeout.Token);
        using var unknown = await client.SendAsync(HttpMethod.Get, "/v1/models", timeout.Token);

        Assert.True((await MessagesApiClient.ReadJsonAsync(count, timeout.Token)).GetProperty("input_tokens").GetInt32() > 0);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("not_found_error", (await MessagesApiClient.ReadJsonAsync(unknown, timeout.Token)).GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(
            [RecordedRequestKind.CountTokens, RecordedRequestKind.Other, RecordedRequestKind.Other],
            server.Requests.Select(r => r.Kind));
        Assert.Equal("?beta=true", server.Requests[0].QueryString);
        Assert.Equal("/v1/messages/count_tokens", server.Requests[0].Path);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task ConditionalTurn_IsTakenOnlyByARequestItAccepts()
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = await ScriptedModelServer.StartAsync(timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);
        server.Script
            .Enqueue(ScriptedTurn.Text("for beta"), r => r.UserText.Contains("beta", StringComparison.Ordinal))
            .EnqueueText("first");

        var alpha = await client.StreamAsync(MessagesApiClient.Body("alpha", stream: true), timeout.Token);
        var beta = await client.StreamAsync(MessagesApiClient.Body("beta", stream: true), timeout.Token);

        Assert.Equal("first", alpha.Single(e => e.Name == "content_block_delta").Data.GetProperty("delta").GetProperty("text").GetString());
        Assert.Equal("for beta", beta.Single(e => e.Name == "content_block_delta").Data.GetProperty("delta").GetProperty("text").GetString());
        Assert.Equal(0, server.Script.PendingCount);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task RecordedRequest_ExposesHeadersMessagesToolResultsAndUserText()
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = await ScriptedModelServer.StartAsync(timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);
        var body = MessagesApiClient.Body("first question", stream: true);
        body["tools"] = new JsonArray(new JsonObject { ["name"] = "Write" }, new JsonObject { ["name"] = "Bash" });
        var messages = body["messages"]!.AsArray();
        messages.Add(new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_a", ["name"] = "Write", ["input"] = new JsonObject() }),
        });
        messages.Add(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(
                new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = "toolu_a", ["content"] = "no", ["is_error"] = true },
                new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = "toolu_b", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "li" }, new JsonObject { ["type"] = "text", ["text"] = "nes" }) },
                new JsonObject { ["type"] = "text", ["text"] = "and then?" }),
        });

        await client.StreamAsync(body, timeout.Token);

        var request = Assert.Single(server.ConversationRequests);
        Assert.Equal("sk-test-raw", request.ApiKey);
        Assert.Equal("2023-06-01", request.GetHeader("Anthropic-Version"));
        Assert.Null(request.Authorization);
        Assert.Equal(3, request.Messages.Count);
        Assert.Equal([new RecordedToolResult("toolu_a", "no", true), new RecordedToolResult("toolu_b", "lines", false)], request.ToolResults);
        Assert.Equal(["first question", "and then?"], request.UserTexts);
        Assert.Equal("first question\nand then?", request.UserText);
        Assert.Equal("You are a test.", request.SystemText);
        Assert.Equal(["Write", "Bash"], request.ToolNames);
        Assert.Equal(1024, request.MaxTokens);
        Assert.True(request.IsStreaming);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task WaitForRequestAsync_CompletesForPastAndFutureRequests_AndHonoursCancellation()
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = await ScriptedModelServer.StartAsync(timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);
        var second = server.WaitForConversationRequestAsync(1, timeout.Token);
        using var cancelled = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var never = server.WaitForRequestAsync(r => r.Path == "/never", cancelled.Token);

        await client.StreamAsync(MessagesApiClient.Body("one", stream: true), timeout.Token);
        Assert.False(second.IsCompleted);
        await client.StreamAsync(MessagesApiClient.Body("two", stream: true), timeout.Token);
        var past = await server.WaitForRequestAsync(r => r.UserText == "one", timeout.Token);
        await cancelled.CancelAsync();

        Assert.Equal("two", (await second).UserText);
        Assert.Equal(0, past.TurnIndex);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => never);
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task ClientGoingAway_MidStream_IsRecordedAsAborted()
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = await ScriptedModelServer.StartAsync(timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);
        server.Script.EnqueueSlowText(40, TimeSpan.FromMilliseconds(250));

        using (var response = await client.PostAsync("/v1/messages", MessagesApiClient.Body("slow", stream: true), timeout.Token))
        {
            await foreach (var e in ServerSentEvent.ReadAllAsync(await response.Content.ReadAsStreamAsync(timeout.Token), timeout.Token))
            {
                if (e.Name == "content_block_delta")
                {
                    break;
                }
            }
        }

        var request = Assert.Single(server.Requests);
        Assert.Equal(RecordedResponseOutcome.Aborted, await request.Outcome.WaitAsync(timeout.Token));
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task DisposeAsync_CutsAStreamingAnswer_FailsPendingWaits_AndIsIdempotent()
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        var server = await ScriptedModelServer.StartAsync(timeout.Token);
        using var client = new MessagesApiClient(server.BaseUrl);
        server.Script.EnqueueSlowText(40, TimeSpan.FromMilliseconds(250));
        var pending = server.WaitForRequestAsync(r => r.Path == "/never", timeout.Token);
        using var response = await client.PostAsync("/v1/messages", MessagesApiClient.Body("slow", stream: true), timeout.Token);
        var request = Assert.Single(server.Requests);
        var started = DateTime.UtcNow;

        await server.DisposeAsync();
        await server.DisposeAsync();

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "the stream should be cut, not played to its end");
        Assert.Equal(RecordedResponseOutcome.Aborted, await request.Outcome.WaitAsync(timeout.Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending);
    }
}

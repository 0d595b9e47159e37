using System.Text.Json;
using System.Text.Json.Nodes;
using Agor.Testing.ScriptedModel;
using Agor.Testing.Support;
using Agor.Testing.Tests.Support;
using Xunit.Abstractions;

namespace Agor.Testing.Tests.ScriptedModel;

/// <summary>The scripted model server, driven by the real Claude Code CLI.</summary>
public sealed class ClaudeCliSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const int TimeoutMs = 30_000;
    private const string ApiKey = "sk-test-scripted-0123456789";

    private ScriptedModelServer? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Lists what the CLI sent, for the test's output (shown when it fails).</summary>
    public Task DisposeAsync()
    {
        foreach (var request in _server?.Requests ?? [])
        {
            output.WriteLine($"{request} streaming={request.IsStreaming} max_tokens={request.MaxTokens} user-agent={request.GetHeader("user-agent")}");
        }

        return Task.CompletedTask;
    }

    [SkippableFact(Timeout = TimeoutMs)]
    public async Task TextTurn_ResultIsTheConcatenatedChunks_AndTheApiKeyWasSent()
    {
        var claude = ClaudeCli.Require();
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = _server = await ScriptedModelServer.StartAsync(timeout.Token);
        server.Script.EnqueueText("Hello", ", ", "world");
        await using var cli = ClaudeCliSession.Start(claude, server.BaseUrl, ApiKey);

        await cli.SendUserMessageAsync("hello", timeout.Token);
        var result = await cli.ReadToResultAsync(timeout.Token);

        Assert.False(result.GetProperty("is_error").GetBoolean(), result.GetRawText());
        Assert.Equal("success", result.GetProperty("subtype").GetString());
        Assert.Equal("Hello, world", result.GetProperty("result").GetString());
        var request = Assert.Single(server.ConversationRequests);
        Assert.Equal(ApiKey, request.ApiKey);
        Assert.Equal("2023-06-01", request.GetHeader("anthropic-version"));
        Assert.Contains("hello", request.UserTexts);
        Assert.Contains("Write", request.ToolNames);
        Assert.Equal(RecordedResponseOutcome.Completed, await request.Outcome.WaitAsync(timeout.Token));
        Assert.Equal(0, await cli.CloseAndWaitForExitAsync(timeout.Token));
    }

    [SkippableFact(Timeout = TimeoutMs)]
    public async Task ToolUseTurn_AllowedWrite_CreatesTheFile_AndTheNextRequestCarriesTheToolResult()
    {
        var claude = ClaudeCli.Require();
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = _server = await ScriptedModelServer.StartAsync(timeout.Token);
        await using var cli = ClaudeCliSession.Start(claude, server.BaseUrl, ApiKey);
        var target = Path.Combine(cli.WorkingDirectory, "hello.txt");
        server.Script
            .EnqueueToolUse("Write", new { file_path = target, content = "hi there\n" }, leadingText: "I will write it.", toolUseId: "toolu_01scriptedwrite")
            .EnqueueText("Done.");
        var permissionRequests = new List<JsonElement>();

        await cli.SendUserMessageAsync("write hello.txt", timeout.Token);
        var result = await cli.ReadToResultAsync(
            request =>
            {
                permissionRequests.Add(request);
                return ClaudeCliSession.Allow(request);
            },
            timeout.Token);

        Assert.False(result.GetProperty("is_error").GetBoolean(), result.GetRawText());
        Assert.Equal("Done.", result.GetProperty("result").GetString());
        var permission = Assert.Single(permissionRequests);
        Assert.Equal("Write", permission.GetProperty("tool_name").GetString());
        Assert.Equal("toolu_01scriptedwrite", permission.GetProperty("tool_use_id").GetString());
        Assert.Equal("hi there\n", await File.ReadAllTextAsync(target, timeout.Token));
        Assert.Equal(2, server.ConversationRequests.Count);
        var toolResult = Assert.Single(server.ConversationRequests[1].ToolResults);
        Assert.Equal("toolu_01scriptedwrite", toolResult.ToolUseId);
        Assert.False(toolResult.IsError, toolResult.Content);
        Assert.Contains(target, toolResult.Content, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = TimeoutMs)]
    public async Task ToolUseTurn_Denied_TheModelGetsAnErrorToolResultWithTheMessage()
    {
        var claude = ClaudeCli.Require();
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = _server = await ScriptedModelServer.StartAsync(timeout.Token);
        await using var cli = ClaudeCliSession.Start(claude, server.BaseUrl, ApiKey);
        var target = Path.Combine(cli.WorkingDirectory, "denied.txt");
        server.Script
            .EnqueueToolUse("Write", new { file_path = target, content = "nope\n" })
            .EnqueueText("Understood.");

        await cli.SendUserMessageAsync("write denied.txt", timeout.Token);
        var result = await cli.ReadToResultAsync(_ => ClaudeCliSession.Deny("no"), timeout.Token);

        Assert.False(result.GetProperty("is_error").GetBoolean(), result.GetRawText());
        Assert.Equal("Understood.", result.GetProperty("result").GetString());
        Assert.False(File.Exists(target));
        var toolResult = Assert.Single(server.ConversationRequests[1].ToolResults);
        Assert.True(toolResult.IsError);
        Assert.Equal("no", toolResult.Content);
    }

    [SkippableFact(Timeout = TimeoutMs)]
    public async Task ErrorTurn_401_ResultIsAnError()
    {
        var claude = ClaudeCli.Require();
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = _server = await ScriptedModelServer.StartAsync(timeout.Token);
        server.Script.EnqueueError(401);
        await using var cli = ClaudeCliSession.Start(claude, server.BaseUrl, ApiKey);

        await cli.SendUserMessageAsync("hello", timeout.Token);
        var result = await cli.ReadToResultAsync(timeout.Token);

        Assert.True(result.GetProperty("is_error").GetBoolean(), result.GetRawText());
        Assert.Equal(401, result.GetProperty("api_error_status").GetInt32());
        Assert.Single(server.ConversationRequests);
        Assert.Equal(1, await cli.CloseAndWaitForExitAsync(timeout.Token));
    }

    [SkippableFact(Timeout = TimeoutMs)]
    public async Task SlowTextTurn_Interrupted_TheStreamIsCutAndRecordedAsAborted()
    {
        var claude = ClaudeCli.Require();
        using var timeout = new CancellationTokenSource(TimeoutMs);
        await using var server = _server = await ScriptedModelServer.StartAsync(timeout.Token);
        server.Script.EnqueueSlowText(40, TimeSpan.FromMilliseconds(250));
        await using var cli = ClaudeCliSession.Start(claude, server.BaseUrl, ApiKey);

        await cli.SendUserMessageAsync("count slowly", timeout.Token);
        await cli.ReadUntilAsync(IsTextDelta, timeout.Token);
        await cli.SendAsync(
            new JsonObject { ["type"] = "control_request", ["request_id"] = "req_interrupt", ["request"] = new JsonObject { ["subtype"] = "interrupt" } },
            timeout.Token);
        var result = await cli.ReadToResultAsync(timeout.Token);

        Assert.True(result.GetProperty("is_error").GetBoolean(), result.GetRawText());
        Assert.Equal("error_during_execution", result.GetProperty("subtype").GetString());
        var request = Assert.Single(server.ConversationRequests);
        Assert.Equal(RecordedResponseOutcome.Aborted, await request.Outcome.WaitAsync(timeout.Token));
    }

    private static bool IsTextDelta(JsonElement frame) =>
        frame.GetProperty("type").GetString() == "stream_event"
        && frame.GetProperty("event").GetProperty("type").GetString() == "content_block_delta"
        && frame.GetProperty("event").GetProperty("delta").GetProperty("type").GetString() == "text_delta";
}

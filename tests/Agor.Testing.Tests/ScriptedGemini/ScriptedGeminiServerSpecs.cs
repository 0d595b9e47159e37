using System.Net;
using System.Text;
using System.Text.Json;
using Agor.Testing.ScriptedGemini;

namespace Agor.Testing.Tests.ScriptedGemini;

/// <summary>The scripted Gemini API as a plain HTTP client sees it (the shapes GEMINI-HEADLESS section 2 describes).</summary>
public sealed class ScriptedGeminiServerSpecs
{
    private const string StreamPath = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";

    [Fact]
    public async Task TextTurn_StreamsOneSseChunkPerPart_TheLastWithStopAndUsage_AndRecordsTheKey()
    {
        await using var server = await ScriptedGeminiServer.StartAsync();
        server.Script.EnqueueText("Hello ", "world");
        using var client = new HttpClient();

        var chunks = await StreamAsync(client, server, """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""", "gk-spec");

        Assert.Equal(2, chunks.Count);
        Assert.Equal("Hello ", Part(chunks[0]).GetProperty("text").GetString());
        Assert.False(chunks[0].GetProperty("candidates")[0].TryGetProperty("finishReason", out _));
        Assert.Equal("STOP", chunks[1].GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        Assert.Equal(100, chunks[1].GetProperty("usageMetadata").GetProperty("promptTokenCount").GetInt32());
        Assert.Equal(7, chunks[1].GetProperty("usageMetadata").GetProperty("candidatesTokenCount").GetInt32());
        var request = Assert.Single(server.ConversationRequests);
        Assert.Equal("gk-spec", request.ApiKey);
        Assert.Equal("gemini-2.5-flash", request.Model);
        Assert.Equal([("user", "hi")], request.Texts);
    }

    [Fact]
    public async Task ShellAndWriteFileTurns_AreFunctionCalls_AndTheFunctionResponsesSentBackAreRecorded()
    {
        await using var server = await ScriptedGeminiServer.StartAsync();
        server.Script.EnqueueShellCommand("echo hi").EnqueueWriteFile("/w/a.txt", "x\n");
        using var client = new HttpClient();

        var shell = Part((await StreamAsync(client, server, "{}", "k"))[0]).GetProperty("functionCall");
        var write = Part((await StreamAsync(client, server,
            """{"contents":[{"role":"user","parts":[{"functionResponse":{"name":"run_shell_command","id":"c1","response":{"output":"hi"}}}]}]}""", "k"))[0]).GetProperty("functionCall");

        Assert.Equal("run_shell_command", shell.GetProperty("name").GetString());
        Assert.Equal("echo hi", shell.GetProperty("args").GetProperty("command").GetString());
        Assert.Equal("write_file", write.GetProperty("name").GetString());
        Assert.Equal("/w/a.txt", write.GetProperty("args").GetProperty("file_path").GetString());
        var response = Assert.Single(server.ConversationRequests[1].FunctionResponses);
        Assert.Equal("run_shell_command", response.Name);
        Assert.Contains("\"output\":\"hi\"", response.Response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyScript_AnswersADefaultText_SoAStrayCallNeverHangs()
    {
        await using var server = await ScriptedGeminiServer.StartAsync();
        using var client = new HttpClient();

        var chunks = await StreamAsync(client, server, "{}", "k");

        Assert.Equal("ok", Part(Assert.Single(chunks)).GetProperty("text").GetString());
    }

    [Fact]
    public async Task SideCall_IsAnsweredFromItsResponseJsonSchema_OrRefusedWithout()
    {
        await using var server = await ScriptedGeminiServer.StartAsync();
        using var client = new HttpClient();
        var schema = """{"generationConfig":{"responseJsonSchema":{"type":"object","properties":{"complexity_reasoning":{"type":"string"},"complexity_score":{"type":"integer"}}}}}""";

        using var answered = await client.PostAsync($"{server.BaseUrl}/v1beta/models/gemini-3.5-flash-lite:generateContent", new StringContent(schema, Encoding.UTF8, "application/json"));
        using var refused = await client.PostAsync($"{server.BaseUrl}/v1beta/models/gemini-3.5-flash-lite:generateContent", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        using var document = JsonDocument.Parse(await answered.Content.ReadAsStringAsync());
        using var value = JsonDocument.Parse(Part(document.RootElement).GetProperty("text").GetString()!);
        Assert.Equal(JsonValueKind.String, value.RootElement.GetProperty("complexity_reasoning").ValueKind);
        Assert.Equal(1, value.RootElement.GetProperty("complexity_score").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Empty(server.ConversationRequests);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task ErrorTurn_AnswersTheStatus_WithAGoogleStyleErrorBody()
    {
        await using var server = await ScriptedGeminiServer.StartAsync();
        server.Script.Enqueue(GeminiTurn.Error(500));
        using var client = new HttpClient();

        using var response = await client.PostAsync(server.BaseUrl + StreamPath, new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(500, body.RootElement.GetProperty("error").GetProperty("code").GetInt32());
    }

    private static JsonElement Part(JsonElement chunk) => chunk.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0];

    private static async Task<List<JsonElement>> StreamAsync(HttpClient client, ScriptedGeminiServer server, string body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + StreamPath) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-goog-api-key", key);
        using var response = await client.SendAsync(request);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e.StartsWith("data: ", StringComparison.Ordinal))
            .Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement.Clone())];
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Agor.Testing.ScriptedOpenAI;

namespace Agor.Testing.Tests.ScriptedOpenAI;

/// <summary>The scripted Responses API server, spoken to over real HTTP.</summary>
public sealed class ScriptedOpenAIServerSpecs
{
    private const string ToolOutputsBody = """
        {"model":"gpt-5.5","stream":true,"input":[
          {"type":"message","role":"user","content":[{"type":"input_text","text":"run it"}]},
          {"type":"function_call","call_id":"call_a","name":"exec_command","arguments":"{}"},
          {"type":"function_call_output","call_id":"call_a","output":"hi from the shell"},
          {"type":"custom_tool_call_output","call_id":"call_b","output":"patch rejected by user"}]}
        """;

    [Fact(Timeout = 30_000)]
    public async Task TextTurn_StreamsCreatedAddedDeltasDoneCompleted_WithUsage()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Script.EnqueueText("Hello", " world");

        var events = await PostAsync(server, """{"stream":true,"input":[]}""");

        Assert.Equal(
            ["response.created", "response.output_item.added", "response.output_text.delta", "response.output_text.delta", "response.output_item.done", "response.completed"],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("Hello world", string.Concat(events.Where(e => e.GetProperty("type").GetString() == "response.output_text.delta").Select(e => e.GetProperty("delta").GetString())));
        var done = events[4].GetProperty("item");
        Assert.Equal("message", done.GetProperty("type").GetString());
        Assert.Equal("Hello world", done.GetProperty("content")[0].GetProperty("text").GetString());
        var usage = events[^1].GetProperty("response").GetProperty("usage");
        Assert.Equal(120, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(20, usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(9, usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(0, server.Script.PendingCount);
    }

    [Fact(Timeout = 30_000)]
    public async Task ShellAndPatchTurns_ArriveAsFunctionAndCustomToolCalls()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Script.EnqueueShellCommand("echo hi", "call_1").EnqueueAddFile("a.txt", "line one\n", "call_2");

        var shell = (await PostAsync(server, "{}"))[^2].GetProperty("item");
        var patch = (await PostAsync(server, "{}"))[^2].GetProperty("item");

        Assert.Equal("function_call", shell.GetProperty("type").GetString());
        Assert.Equal("exec_command", shell.GetProperty("name").GetString());
        Assert.Equal("call_1", shell.GetProperty("call_id").GetString());
        Assert.Equal("echo hi", JsonDocument.Parse(shell.GetProperty("arguments").GetString()!).RootElement.GetProperty("cmd").GetString());
        Assert.Equal("custom_tool_call", patch.GetProperty("type").GetString());
        Assert.Equal("apply_patch", patch.GetProperty("name").GetString());
        Assert.Equal("*** Begin Patch\n*** Add File: a.txt\n+line one\n*** End Patch\n", patch.GetProperty("input").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task EveryRequest_IsRecorded_WithAuthorizationAndToolOutputs()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();

        var events = await PostAsync(server, ToolOutputsBody, "sk-placeholder");
        using var client = new HttpClient();
        var other = await client.GetAsync(new Uri(server.BaseUrl + "/models"));

        Assert.Equal("OK.", events[^2].GetProperty("item").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(2, server.Requests.Count);
        var recorded = Assert.Single(server.ResponsesRequests);
        Assert.Equal("Bearer sk-placeholder", recorded.Authorization);
        Assert.Equal(["run it"], recorded.UserTexts);
        Assert.Equal(
            [new RecordedToolOutput("function_call_output", "call_a", "hi from the shell"), new RecordedToolOutput("custom_tool_call_output", "call_b", "patch rejected by user")],
            recorded.ToolOutputs);
        Assert.Same(recorded, await server.WaitForRequestAsync(r => r.IsResponses));
    }

    private static async Task<List<JsonElement>> PostAsync(ScriptedOpenAIServer server, string body, string? key = null)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl + "/responses"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n').Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..])
            .Select(data => JsonDocument.Parse(data).RootElement.Clone())];
    }
}

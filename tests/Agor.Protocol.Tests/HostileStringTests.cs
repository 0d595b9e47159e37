using System.Text;
using System.Text.Json;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;

namespace Agor.Protocol.Tests;

/// <summary>
/// Strings and numbers a hostile peer sends to break the parser (issue 9, item 11): each gets its
/// JSON-RPC answer, and the connection keeps serving.
/// </summary>
public sealed class HostileStringTests
{
    private static int Code(JsonElement response) => response.GetProperty("error").GetProperty("code").GetInt32();

    private static async Task AssertStillServesAsync(RawPeerHarness harness)
    {
        await harness.SendAsync("""{"jsonrpc":"2.0","id":"alive","method":"echo","params":{"text":"still here"}}""");
        var response = await harness.ReadJsonAsync();
        Assert.Equal("alive", response.GetProperty("id").GetString());
        Assert.Equal("still here", response.GetProperty("result").GetProperty("text").GetString());
        Assert.Null(harness.Peer.CloseReason);
    }

    private static byte[] WithByte(string line, char marker, byte value)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        bytes[Array.IndexOf(bytes, (byte)marker)] = value;
        return bytes;
    }

    [Theory(Timeout = 10_000)]
    [InlineData("""{"\ud800":1}""", -32600)]
    [InlineData("""{"jsonrpc":"2.0","\udfff":1,"id":1,"method":"nope"}""", -32601)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"\ud800"}""", -32600)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"\ud800"}}""", -32602)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"echo","params":{"\ud800":"x"}}""", -32602)]
    [InlineData("""{"jsonrpc":"2.0","id":5,"error":{"code":"not a number","message":"m"}}""", -32700)]
    [InlineData("""{"jsonrpc":"2.0","id":5,"error":{"code":1e400,"message":"m"}}""", -32700)]
    [InlineData("""{"jsonrpc":"2.0","id":5,"error":{"message":"no code"}}""", -32700)]
    public async Task LoneSurrogatesAndBadErrorCodes_AreAnsweredAndTheConnectionStays(string line, int expectedCode)
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync(line);

        Assert.Equal(expectedCode, Code(await harness.ReadJsonAsync()));
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 10_000)]
    public async Task UnknownMemberWithALoneSurrogate_IsIgnoredAndTheRequestServed()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("""{"jsonrpc":"2.0","\ud800":1,"id":1,"method":"echo","params":{"text":"ok"}}""");

        Assert.Equal("ok", (await harness.ReadJsonAsync()).GetProperty("result").GetProperty("text").GetString());
    }

    [Fact(Timeout = 10_000)]
    public async Task InvalidUtf8InsideTheMethod_IsMethodNotFoundWithItsId()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendRawAsync(WithByte("""{"jsonrpc":"2.0","id":7,"method":"ec#ho"}""", '#', 0xFF));
        var response = await harness.ReadJsonAsync();

        Assert.Equal(7, response.GetProperty("id").GetInt32());
        Assert.Equal(-32601, Code(response));
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 10_000)]
    public async Task InvalidUtf8InsideAParam_IsInvalidParams()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendRawAsync(WithByte("""{"jsonrpc":"2.0","id":8,"method":"echo","params":{"text":"a#b"}}""", '#', 0xC3));

        Assert.Equal(-32602, Code(await harness.ReadJsonAsync()));
        await AssertStillServesAsync(harness);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\u00e9\\/x\"")]
    [InlineData("1e400")]
    [InlineData("-0.000")]
    [InlineData("123456789012345678901234567890")]
    public async Task Ids_AreEchoedByteForByte(string id)
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"echo","params":{"text":"x"}}""");
        await harness.SendAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"nope"}""");

        Assert.Contains($"\"id\":{id},", Encoding.UTF8.GetString((await harness.ReadRawLineAsync())!), StringComparison.Ordinal);
        Assert.Contains($"\"id\":{id},", Encoding.UTF8.GetString((await harness.ReadRawLineAsync())!), StringComparison.Ordinal);
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 10_000)]
    public async Task AnIdWithInvalidUtf8_IsEchoedByteForByte()
    {
        await using var harness = new RawPeerHarness();
        var request = WithByte("""{"jsonrpc":"2.0","id":"a#b","method":"echo","params":{"text":"x"}}""", '#', 0xFE);

        await harness.SendRawAsync(request);
        var answer = (await harness.ReadRawLineAsync())!;

        Assert.True(answer.AsSpan().IndexOf("\"id\":\"a\u00FEb\""u8.ToArray().AsSpan()) < 0, "the id must not be re-encoded");
        Assert.True(answer.AsSpan().IndexOf(new byte[] { (byte)'"', (byte)'a', 0xFE, (byte)'b', (byte)'"' }) >= 0, Encoding.UTF8.GetString(answer));
        await AssertStillServesAsync(harness);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("9e18", "'timeout_ms' has a value of the wrong type")]
    [InlineData("9000000000000000000", "'timeout_ms' must be between 0 and 2147483647")]
    [InlineData("-1", "'timeout_ms' must be between 0 and 2147483647")]
    [InlineData("99999999999999999999", "'timeout_ms' has a value of the wrong type")]
    public async Task ATimeoutThatOverflows_IsInvalidParamsNotAnInternalError(string timeout, string problem)
    {
        var handled = 0;
        await using var harness = new RawPeerHarness(configure: peer => peer.AddRequestHandler(Methods.ExecutePrompt, (p, ct) =>
        {
            Interlocked.Increment(ref handled);
            _ = TimeSpan.FromMilliseconds(p.TimeoutMs);
            return ValueTask.FromResult(new ExecutePromptResult(true));
        }));

        await harness.SendAsync($$$"""{"jsonrpc":"2.0","id":1,"method":"execute_prompt","params":{"session_token":"t","session_id":"s","task_id":"k","prompt":"p","cwd":"/","timeout_ms":{{{timeout}}}}}""");
        var response = await harness.ReadJsonAsync();

        Assert.Equal(-32602, Code(response));
        Assert.Contains(problem, response.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, handled);
        await AssertStillServesAsync(harness);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("\"tools\":null", "'tools'")]
    [InlineData("\"tools\":[\"Read\",null]", "'tools'")]
    [InlineData("\"permission_mode\":null", "'permission_mode'")]
    public async Task NullsInsideExecutePrompt_AreInvalidParamsBeforeTheHandlerRuns(string member, string named)
    {
        var handled = 0;
        await using var harness = new RawPeerHarness(configure: peer => peer.AddRequestHandler(Methods.ExecutePrompt, (p, ct) =>
        {
            Interlocked.Increment(ref handled);
            return ValueTask.FromResult(new ExecutePromptResult(p.Tools.Count >= 0 && p.PermissionMode.Length > 0));
        }));

        await harness.SendAsync($$$"""{"jsonrpc":"2.0","id":1,"method":"execute_prompt","params":{"session_token":"t","session_id":"s","task_id":"k","prompt":"p","cwd":"/",{{{member}}}}}""");
        var response = await harness.ReadJsonAsync();

        Assert.Equal(-32602, Code(response));
        Assert.Contains(named, response.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, handled);
    }

    [Fact(Timeout = 10_000)]
    public async Task ANullWhereTheContractSaysText_IsInvalidParamsNamingTheField()
    {
        await using var harness = new RawPeerHarness(configure: peer => peer.AddRequestHandler(Methods.StopTask, (p, ct) => ValueTask.FromResult(new StopTaskResult(p.SessionToken.Length > 0))));

        await harness.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"stop_task","params":{"session_token":null,"task_id":"k"}}""");
        var response = await harness.ReadJsonAsync();

        Assert.Equal(-32602, Code(response));
        Assert.Contains("'session_token'", response.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 10_000)]
    public async Task DeepNesting_IsAParseErrorNotAStackOverflow()
    {
        await using var harness = new RawPeerHarness();
        var deep = new string('[', 100_000) + new string(']', 100_000);

        await harness.SendAsync($$$"""{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"x","deep":{{{deep}}}}}""");
        await harness.SendAsync(deep);

        Assert.Equal(-32700, Code(await harness.ReadJsonAsync()));
        Assert.Equal(-32700, Code(await harness.ReadJsonAsync()));
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 10_000)]
    public async Task AfterAHalfClose_EveryRequestAlreadyReadIsAnswered()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"a","delay_ms":100}}""");
        await harness.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"echo","params":{"text":"b","delay_ms":50}}""");
        await harness.SendAsync("""[{"jsonrpc":"2.0","id":3,"method":"echo","params":{"text":"c","delay_ms":80}}]""");
        await harness.SendAsync("""{"jsonrpc":"2.0","id":4,"method":"echo","params":{"text":"d"}}""");
        await harness.CompleteInputAsync();

        var answers = new List<string>();
        while (await harness.ReadLineAsync() is { } line)
        {
            answers.Add(line);
        }

        Assert.Equal(4, answers.Count);
        foreach (var text in new[] { "\"a\"", "\"b\"", "\"c\"", "\"d\"" })
        {
            Assert.Contains(answers, a => a.Contains(text, StringComparison.Ordinal));
        }

        await harness.Peer.Completion;
        Assert.Equal("the peer closed the connection", harness.Peer.CloseReason);
    }
}

using System.Text;
using System.Text.Json;
using Agor.Protocol.JsonRpc;

namespace Agor.Protocol.Tests;

/// <summary>What a peer answers to bad input, and that it keeps the connection where it should.</summary>
public sealed class MalformedInputTests
{
    private static int Code(JsonElement response) => response.GetProperty("error").GetProperty("code").GetInt32();

    private static async Task AssertStillServesAsync(RawPeerHarness harness)
    {
        await harness.SendAsync("""{"jsonrpc":"2.0","id":"alive","method":"echo","params":{"text":"still here"}}""");
        var response = await harness.ReadJsonAsync();
        Assert.Equal("alive", response.GetProperty("id").GetString());
        Assert.Equal("still here", response.GetProperty("result").GetProperty("text").GetString());
    }

    [Theory(Timeout = 10_000)]
    [InlineData("this is not json", -32700)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"", -32700)]
    [InlineData("{} trailing", -32700)]
    [InlineData("42", -32600)]
    [InlineData("\"a string\"", -32600)]
    [InlineData("{\"id\":1,\"method\":\"echo\",\"params\":{\"text\":\"x\"}}", -32600)]
    [InlineData("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"echo\",\"params\":{\"text\":\"x\"}}", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":42}", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"echo\"}", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":\"text\"}", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"no_such_method\"}", -32601)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":{\"text\":5}}", -32602)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"positional\"]}", -32602)]
    public async Task BadLine_IsAnsweredWithItsErrorAndTheConnectionStays(string line, int expectedCode)
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync(line);
        var response = await harness.ReadJsonAsync();

        Assert.Equal(expectedCode, Code(response));
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 10_000)]
    public async Task ParseError_IsAnsweredWithANullId()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("{not json");

        Assert.Equal(JsonValueKind.Null, (await harness.ReadJsonAsync()).GetProperty("id").ValueKind);
    }

    [Fact(Timeout = 10_000)]
    public async Task InvalidParams_NamesTheMissingField()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("""{"jsonrpc":"2.0","id":7,"method":"strict","params":{"name":"x"}}""");
        var response = await harness.ReadJsonAsync();

        Assert.Equal(7, response.GetProperty("id").GetInt32());
        Assert.Equal(-32602, Code(response));
        Assert.Contains("'count'", response.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task InvalidParams_OfTheWrongType_NamesTheField()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("""{"jsonrpc":"2.0","id":8,"method":"strict","params":{"name":"x","count":"many"}}""");
        var response = await harness.ReadJsonAsync();

        Assert.Equal("Invalid params: 'count' has a value of the wrong type.", response.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact(Timeout = 10_000)]
    public async Task EmptyBatch_IsOneInvalidRequestError()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("[]");
        var response = await harness.ReadJsonAsync();

        Assert.Equal(JsonValueKind.Object, response.ValueKind);
        Assert.Equal(-32600, Code(response));
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 10_000)]
    public async Task MixedBatch_IsAnsweredAsOneArrayWithoutTheNotification()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("""
            [{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"a","delay_ms":50}},1,{"jsonrpc":"2.0","method":"echo","params":{"text":"n"}},{"jsonrpc":"2.0","id":2,"method":"nope"},{"jsonrpc":"2.0","id":3,"method":"echo","params":{"text":"c"}}]
            """);
        var response = await harness.ReadJsonAsync();

        Assert.Equal(JsonValueKind.Array, response.ValueKind);
        var items = response.EnumerateArray().ToList();
        Assert.Equal(4, items.Count);
        Assert.Contains(items, i => i.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt32() == 1 && i.GetProperty("result").GetProperty("text").GetString() == "a");
        Assert.Contains(items, i => i.GetProperty("id").ValueKind == JsonValueKind.Null && Code(i) == -32600);
        Assert.Contains(items, i => i.GetProperty("id").ValueKind == JsonValueKind.Number && i.GetProperty("id").GetInt32() == 2 && Code(i) == -32601);
        Assert.Contains(items, i => i.GetProperty("id").ValueKind == JsonValueKind.Number && i.GetProperty("id").GetInt32() == 3 && i.GetProperty("result").GetProperty("text").GetString() == "c");
    }

    [Fact(Timeout = 10_000)]
    public async Task BatchOfNotificationsOnly_IsAnsweredWithNothing()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("""[{"jsonrpc":"2.0","method":"echo","params":{"text":"n1"}},{"jsonrpc":"2.0","method":"echo","params":{"text":"n2"}}]""");
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 10_000)]
    public async Task LineOverTheLimit_ClosesTheConnectionWithAReason()
    {
        await using var harness = new RawPeerHarness(maxLineBytes: 1024);

        await harness.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":{\"text\":\"" + new string('x', 2000) + "\"}}");
        await harness.Peer.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Contains("exceeds the maximum of 1024 bytes", harness.Peer.CloseReason, StringComparison.Ordinal);
        Assert.Null(await harness.ReadLineAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task UnterminatedLineGrowingPastTheLimit_ClosesWithoutWaitingForTheNewline()
    {
        await using var harness = new RawPeerHarness(maxLineBytes: 1024);

        await harness.SendRawAsync(Encoding.UTF8.GetBytes(new string('x', 4096)));
        await harness.Peer.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Contains("exceeds the maximum", harness.Peer.CloseReason, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task PeerDropsMidLine_ConnectionEndsCleanlyAndPendingRequestsFail()
    {
        var never = new TaskCompletionSource<Empty>();
        await using var harness = new RawPeerHarness();
        var pending = harness.Peer.InvokeAsync(TestMethods.Never, new Empty());
        Assert.Contains("\"method\":\"never\"", await harness.ReadLineAsync(), StringComparison.Ordinal);

        await harness.SendRawAsync(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"res"));
        await harness.CompleteInputAsync();

        var error = await Assert.ThrowsAsync<JsonRpcConnectionLostException>(() => pending);
        Assert.Equal("the peer closed the connection", error.Reason);
    }

    [Fact(Timeout = 10_000)]
    public async Task CarriageReturnsAndBlankLines_AreTolerated()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendRawAsync(Encoding.UTF8.GetBytes("\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":{\"text\":\"crlf\"}}\r\n"));

        Assert.Equal("crlf", (await harness.ReadJsonAsync()).GetProperty("result").GetProperty("text").GetString());
    }

    [Fact(Timeout = 10_000)]
    public async Task StringAndNumberIds_AreEchoedExactly()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("""{"jsonrpc":"2.0","id":"req-\u00e9","method":"echo","params":{"text":"s"}}""");
        await harness.SendAsync("""{"jsonrpc":"2.0","id":12345678901,"method":"echo","params":{"text":"n"}}""");

        Assert.Equal("req-é", (await harness.ReadJsonAsync()).GetProperty("id").GetString());
        Assert.Equal(12345678901, (await harness.ReadJsonAsync()).GetProperty("id").GetInt64());
    }

    [Fact(Timeout = 10_000)]
    public async Task ResponseToAnUnknownId_IsIgnored()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("""{"jsonrpc":"2.0","id":999,"result":{}}""");
        await AssertStillServesAsync(harness);
    }
}

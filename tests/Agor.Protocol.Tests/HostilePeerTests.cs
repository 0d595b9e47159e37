using System.Text;
using System.Text.Json;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Protocol.Tests;

/// <summary>
/// A peer that floods, bombs with batches, keeps violating or trips our own handlers (issue 9,
/// items 2 and 3): our memory and our log stay bounded, and one bad message never drops the connection.
/// </summary>
public sealed class HostilePeerTests
{
    private static int Code(JsonElement response) => response.GetProperty("error").GetProperty("code").GetInt32();

    private static int Warnings(CountingLogger logger) => logger.Count(LogLevel.Warning);

    private static async Task AssertStillServesAsync(RawPeerHarness harness)
    {
        await harness.SendAsync("""{"jsonrpc":"2.0","id":"alive","method":"echo","params":{"text":"still here"}}""");
        var response = await harness.ReadJsonAsync();
        Assert.Equal("alive", response.GetProperty("id").GetString());
        Assert.Null(harness.Peer.CloseReason);
    }

    private static JsonRpcPeerOptions Options(int maxInFlight = JsonRpcPeerOptions.DefaultMaxRequestsInFlight) =>
        new() { Name = "under-test", MaxRequestsInFlight = maxInFlight };

    [Theory(Timeout = 30_000)]
    [InlineData(1024 * 1024)]
    [InlineData(JsonRpcPeerOptions.DefaultMaxLineBytes - 16)]
    public async Task BatchBomb_GetsOneInvalidRequestAnswerAndOneLogLine(int lineBytes)
    {
        var logger = new CountingLogger();
        await using var harness = new RawPeerHarness(Options(), logger);
        var bomb = new StringBuilder(lineBytes).Append('[');
        while (bomb.Length < lineBytes - 2)
        {
            bomb.Append("1,");
        }

        await harness.SendAsync(bomb.Append("1]").ToString());
        var answer = (await harness.ReadRawLineAsync())!;

        Assert.True(answer.Length < 512, $"the answer is {answer.Length} bytes");
        var response = JsonDocument.Parse(answer).RootElement;
        Assert.Equal(JsonValueKind.Object, response.ValueKind);
        Assert.Equal(-32600, Code(response));
        Assert.Contains("more than 256", response.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, Warnings(logger));
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 30_000)]
    public async Task FullBatchOfGarbage_IsAnsweredPerElementButLoggedAtPowersOfTwo()
    {
        var logger = new CountingLogger();
        await using var harness = new RawPeerHarness(Options(), logger);

        await harness.SendAsync("[" + string.Join(',', Enumerable.Repeat("1", 256)) + "]");
        var answers = (await harness.ReadJsonAsync()).EnumerateArray().ToList();

        Assert.Equal(256, answers.Count);
        Assert.All(answers, a => Assert.Equal(-32600, Code(a)));
        Assert.Equal(9, Warnings(logger)); // violations 1, 2, 4, ..., 256
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 60_000)]
    public async Task TenThousandBadLinesBetweenGoodOnes_LogFourteenLinesAndTheConnectionStays()
    {
        var logger = new CountingLogger();
        await using var harness = new RawPeerHarness(Options(), logger);

        for (var round = 0; round < 100; round++)
        {
            var garbage = new StringBuilder();
            for (var i = 0; i < 100; i++)
            {
                garbage.Append(i % 2 == 0 ? "not json\n" : "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope\"}\n");
            }

            await harness.SendRawAsync(Encoding.UTF8.GetBytes(garbage.ToString()));
            for (var i = 0; i < 100; i++)
            {
                Assert.True(Code(await harness.ReadJsonAsync()) is -32700 or -32601);
            }

            await AssertStillServesAsync(harness);
        }

        Assert.Equal(10_000, harness.Peer.Violations);
        Assert.Equal(14, Warnings(logger)); // 2^0 ... 2^13 = 8192
    }

    [Fact(Timeout = 30_000)]
    public async Task APeerThatKeepsViolating_IsDisconnectedWithItsReasonLogged()
    {
        var logger = new CountingLogger();
        await using var harness = new RawPeerHarness(Options() with { MaxConsecutiveViolations = 50 }, logger);

        await harness.SendRawAsync(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("garbage\n", 200))));
        await harness.Peer.Completion;

        Assert.Equal("the peer sent 50 invalid messages in a row", harness.Peer.CloseReason);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("closing the connection: the peer sent 50 invalid messages in a row", StringComparison.Ordinal));
        Assert.True(Warnings(logger) <= 8, $"{Warnings(logger)} warnings");
    }

    [Fact(Timeout = 30_000)]
    public async Task RequestsBeyondTheInFlightCap_AreAnsweredBusyAtOnce()
    {
        var release = new TaskCompletionSource<Empty>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new RawPeerHarness(Options(maxInFlight: 4), null, peer => peer.AddRequestHandler(TestMethods.Hold, (_, _) => new ValueTask<Empty>(release.Task)));

        for (var id = 1; id <= 6; id++)
        {
            await harness.SendAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"hold"}""");
        }

        await harness.SendAsync("""[{"jsonrpc":"2.0","id":7,"method":"echo","params":{"text":"x"}}]""");

        // The four held requests have no answer yet; what comes first is the refusals.
        var fifth = await harness.ReadJsonAsync();
        var sixth = await harness.ReadJsonAsync();
        var batch = await harness.ReadJsonAsync();
        Assert.Equal((5, -32004), (fifth.GetProperty("id").GetInt32(), Code(fifth)));
        Assert.Equal((6, -32004), (sixth.GetProperty("id").GetInt32(), Code(sixth)));
        Assert.Equal(JsonValueKind.Object, batch.ValueKind);
        Assert.Equal(-32004, Code(batch));

        release.SetResult(new Empty());
        var ids = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            var answer = await harness.ReadJsonAsync();
            Assert.True(answer.TryGetProperty("result", out _));
            ids.Add(answer.GetProperty("id").GetInt32());
        }

        Assert.Equal([1, 2, 3, 4], ids.Order());
        await AssertStillServesAsync(harness);
    }

    [Fact(Timeout = 30_000)]
    public async Task ANotificationHandlerThatFaultsLater_FailsThatNotificationOnly()
    {
        var logger = new CountingLogger();
        var notes = new List<string>();
        await using var harness = new RawPeerHarness(Options(), logger, peer =>
        {
            peer.AddNotificationHandler(TestMethods.Boom, async (p, ct) =>
            {
                await Task.Yield();
                throw new InvalidOperationException("handler bug " + p.Text);
            });
            peer.AddNotificationHandler(TestMethods.Note, (p, ct) =>
            {
                notes.Add(p.Text);
                return ValueTask.CompletedTask;
            });
        });

        await harness.SendAsync("""{"jsonrpc":"2.0","method":"boom","params":{"text":"1"}}""");
        await harness.SendAsync("""[{"jsonrpc":"2.0","method":"boom","params":{"text":"2"}}]""");
        await harness.SendAsync("""{"jsonrpc":"2.0","method":"note","params":{"text":"after"}}""");

        await AssertStillServesAsync(harness);
        Assert.Equal(["after"], notes);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("handler of 'boom' failed", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task AReportMessageWithoutEventData_IsDroppedBeforeTheHandlerAndTheNextOneArrives()
    {
        var logger = new CountingLogger();
        var seen = new List<long>();
        await using var harness = new RawPeerHarness(Options(), logger, peer => peer.AddNotificationHandler(Methods.ReportMessage, (p, ct) =>
        {
            // The daemon's handler reads event_data; it must never see a message without it.
            seen.Add(p.Sequence + (p.EventData.GetRawText().Length * 0));
            return ValueTask.CompletedTask;
        }));

        await harness.SendAsync("""{"jsonrpc":"2.0","method":"report_message","params":{"session_token":"t","task_id":"k","sequence":1,"event_type":"system"}}""");
        await harness.SendAsync("""{"jsonrpc":"2.0","method":"report_message","params":{"session_token":null,"task_id":"k","sequence":2,"event_type":"system","event_data":{}}}""");
        await harness.SendAsync("""{"jsonrpc":"2.0","method":"report_message","params":{"session_token":"t","task_id":"k","sequence":3,"event_type":"system","event_data":{"a":1}}}""");

        await AssertStillServesAsync(harness);
        Assert.Equal([3], seen);
        Assert.Contains(logger.Entries, e => e.Message.Contains("'report_message' dropped", StringComparison.Ordinal) && e.Message.Contains("event_data", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task ARequestMissingARequiredField_IsInvalidParamsNamingIt()
    {
        await using var harness = new RawPeerHarness(configure: peer => peer.AddRequestHandler(Methods.ExecutePrompt, (p, ct) => ValueTask.FromResult(new ExecutePromptResult(true))));

        await harness.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"execute_prompt","params":{"session_token":"t","session_id":"s","task_id":"k","prompt":"p"}}""");
        var response = await harness.ReadJsonAsync();

        Assert.Equal(-32602, Code(response));
        Assert.Contains("'cwd'", response.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task AfterAMixOfEverything_NoRequestIsLeftCountedInFlight()
    {
        await using var harness = new RawPeerHarness(Options(maxInFlight: 8), null, peer => peer.AddNotificationHandler(TestMethods.Boom, async (p, ct) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("bug");
        }));
        string[] lines =
        [
            """[{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"a","delay_ms":20}},1,{"jsonrpc":"2.0","method":"boom","params":{"text":"n"}},{"jsonrpc":"2.0","id":2,"method":"strict","params":{"\ud800":1}}]""",
            """{"jsonrpc":"2.0","id":3,"method":"fail","params":{}}""",
            """{"jsonrpc":"2.0","id":4,"method":"strict","params":{"\ud800":1,"name":"x"}}""",
            """{"jsonrpc":"2.0","id":5,"method":"echo","params":{"text":"\ud800"}}""",
            """[{"jsonrpc":"2.0","id":6,"method":"echo","params":{"text":"b","delay_ms":10}},{"jsonrpc":"2.0","id":7,"method":"echo","params":{"text":"c","delay_ms":10}}]""",
        ];

        for (var round = 0; round < 20; round++)
        {
            foreach (var line in lines)
            {
                await harness.SendAsync(line);
            }
        }

        // Every line is answered (a batch as one array), busy or not; then nothing is in flight.
        for (var i = 0; i < 20 * lines.Length; i++)
        {
            Assert.NotNull(await harness.ReadLineAsync());
        }

        await AssertStillServesAsync(harness);
        Assert.Equal(0, harness.Peer.RequestsInFlight);
    }
}

using Agor.Protocol.JsonRpc;

namespace Agor.Protocol.Tests;

public sealed class JsonRpcPeerTests
{
    private static readonly Func<EchoParams, CancellationToken, ValueTask<EchoResult>> EchoHandler = async (p, ct) =>
    {
        if (p.DelayMs > 0)
        {
            await Task.Delay(p.DelayMs, ct);
        }

        return new EchoResult(p.Text);
    };

    [Fact(Timeout = 10_000)]
    public async Task Invoke_ReturnsTheHandlersResult()
    {
        await using var pair = new PeerPair(configureRight: p => p.AddRequestHandler(TestMethods.Echo, EchoHandler));

        var result = await pair.Left.InvokeAsync(TestMethods.Echo, new EchoParams("hello"));

        Assert.Equal("hello", result.Text);
    }

    [Fact(Timeout = 10_000)]
    public async Task Invoke_BothDirectionsAtOnce_EachSideAnswersTheOther()
    {
        await using var pair = new PeerPair(
            configureLeft: p => p.AddRequestHandler(TestMethods.Echo, EchoHandler),
            configureRight: p => p.AddRequestHandler(TestMethods.Echo, EchoHandler));

        var fromLeft = pair.Left.InvokeAsync(TestMethods.Echo, new EchoParams("to right"));
        var fromRight = pair.Right.InvokeAsync(TestMethods.Echo, new EchoParams("to left"));

        Assert.Equal("to right", (await fromLeft).Text);
        Assert.Equal("to left", (await fromRight).Text);
    }

    [Fact(Timeout = 20_000)]
    public async Task Invoke_FiveHundredConcurrentRequests_EachGetsItsOwnAnswer()
    {
        await using var pair = new PeerPair(configureRight: p => p.AddRequestHandler(TestMethods.Echo, EchoHandler));

        var calls = Enumerable.Range(0, 500)
            .Select(i => pair.Left.InvokeAsync(TestMethods.Echo, new EchoParams($"n{i}", DelayMs: i % 7)))
            .ToArray();
        var results = await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"n{i}"), results.Select(r => r.Text));
    }

    [Fact(Timeout = 10_000)]
    public async Task Invoke_ResponsesOutOfOrder_AreMatchedById()
    {
        // The "slow" request is held on a gate the test opens only after "fast" has been answered, so
        // the order of the two answers does not depend on how busy the machine is.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pair = new PeerPair(configureRight: p => p.AddRequestHandler<EchoParams, EchoResult>(TestMethods.Echo, async (e, ct) =>
        {
            if (e.Text == "slow")
            {
                await gate.Task.WaitAsync(ct);
            }

            return new EchoResult(e.Text);
        }));

        var slow = pair.Left.InvokeAsync(TestMethods.Echo, new EchoParams("slow"));
        var fast = pair.Left.InvokeAsync(TestMethods.Echo, new EchoParams("fast"));

        Assert.Equal("fast", (await fast).Text);
        Assert.False(slow.IsCompleted);
        gate.SetResult();
        Assert.Equal("slow", (await slow).Text);
    }

    [Fact(Timeout = 10_000)]
    public async Task Invoke_RemoteError_ThrowsWithTheRemoteCode()
    {
        await using var pair = new PeerPair(configureRight: p => p.AddRequestHandler<Empty, Empty>(
            TestMethods.Fail, (_, _) => throw new JsonRpcException(JsonRpcErrorCode.NoApiKey, "No API key configured for 'anthropic'.")));

        var error = await Assert.ThrowsAsync<JsonRpcException>(() => pair.Left.InvokeAsync(TestMethods.Fail, new Empty()));

        Assert.Equal(JsonRpcErrorCode.NoApiKey, error.Code);
        Assert.Equal("No API key configured for 'anthropic'.", error.Message);
    }

    [Fact(Timeout = 10_000)]
    public async Task Invoke_UnknownMethod_ThrowsMethodNotFound()
    {
        await using var pair = new PeerPair();

        var error = await Assert.ThrowsAsync<JsonRpcException>(() => pair.Left.InvokeAsync(TestMethods.Echo, new EchoParams("x")));

        Assert.Equal(JsonRpcErrorCode.MethodNotFound, error.Code);
        Assert.Contains("echo", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task Invoke_NoAnswerWithinTimeout_ThrowsTimeoutAndTheConnectionStaysUp()
    {
        var never = new TaskCompletionSource<Empty>();
        await using var pair = new PeerPair(configureRight: p =>
        {
            p.AddRequestHandler(TestMethods.Never, (_, _) => new ValueTask<Empty>(never.Task));
            p.AddRequestHandler(TestMethods.Echo, EchoHandler);
        });

        var timeout = await Assert.ThrowsAsync<JsonRpcTimeoutException>(
            () => pair.Left.InvokeAsync(TestMethods.Never, new Empty(), TimeSpan.FromMilliseconds(100)));

        Assert.Equal("never", timeout.Method);
        Assert.Equal("still up", (await pair.Left.InvokeAsync(TestMethods.Echo, new EchoParams("still up"))).Text);
    }

    [Fact(Timeout = 10_000)]
    public async Task Invoke_Cancelled_ThrowsOperationCanceled()
    {
        var never = new TaskCompletionSource<Empty>();
        await using var pair = new PeerPair(configureRight: p => p.AddRequestHandler(TestMethods.Never, (_, _) => new ValueTask<Empty>(never.Task)));
        using var cts = new CancellationTokenSource();

        var call = pair.Left.InvokeAsync(TestMethods.Never, new Empty(), cancellationToken: cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact(Timeout = 10_000)]
    public async Task Disconnect_FailsEveryPendingRequestWithTheReason()
    {
        var never = new TaskCompletionSource<Empty>();
        await using var pair = new PeerPair(configureRight: p => p.AddRequestHandler(TestMethods.Never, (_, _) => new ValueTask<Empty>(never.Task)));

        var pending = Enumerable.Range(0, 20).Select(_ => pair.Left.InvokeAsync(TestMethods.Never, new Empty())).ToArray();
        await pair.Right.DisposeAsync();

        // Whichever way the loss was seen first (end of input, or the peer no longer reading),
        // every caller gets that same first reason.
        foreach (var call in pending)
        {
            var error = await Assert.ThrowsAsync<JsonRpcConnectionLostException>(() => call);
            Assert.StartsWith("the peer", error.Reason, StringComparison.Ordinal);
            Assert.Equal(pair.Left.CloseReason, error.Reason);
        }

        var later = await Assert.ThrowsAsync<JsonRpcConnectionLostException>(() => pair.Left.InvokeAsync(TestMethods.Never, new Empty()));
        Assert.Equal(pair.Left.CloseReason, later.Reason);
        Assert.True(pair.Left.Completion.IsCompleted);
    }

    [Fact(Timeout = 10_000)]
    public async Task Notifications_ArriveInTheOrderSent()
    {
        var received = new List<string>();
        var all = new TaskCompletionSource();
        await using var pair = new PeerPair(configureRight: p => p.AddNotificationHandler(TestMethods.Note, async (n, ct) =>
        {
            // An asynchronous handler must still see the notifications one by one, in order.
            if (n.DelayMs > 0)
            {
                await Task.Delay(n.DelayMs, ct);
            }

            received.Add(n.Text);
            if (received.Count == 200)
            {
                all.SetResult();
            }
        }));

        for (var i = 0; i < 200; i++)
        {
            await pair.Left.NotifyAsync(TestMethods.Note, new EchoParams($"{i}", DelayMs: i % 50 == 0 ? 5 : 0));
        }

        await all.Task;
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"{i}"), received);
    }

    [Fact(Timeout = 10_000)]
    public async Task HandlerThrowsUnexpectedly_PeerGetsInternalErrorWithoutTheDetails()
    {
        await using var harness = new RawPeerHarness();

        await harness.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"fail"}""");
        var response = await harness.ReadJsonAsync();

        Assert.Equal(-32603, response.GetProperty("error").GetProperty("code").GetInt32());
        Assert.DoesNotContain("secret", response.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task CloseAsync_FromInsideAHandler_StillSendsThatHandlersAnswer()
    {
        JsonRpcPeer? self = null;
        await using var harness = new RawPeerHarness(configure: p =>
        {
            self = p;
            p.AddRequestHandler(new JsonRpcMethod<Empty, EchoResult>("bye", TestJsonContext.Default.Empty, TestJsonContext.Default.EchoResult), (_, _) =>
            {
                _ = Task.Run(() => self!.CloseAsync("asked to close").AsTask(), CancellationToken.None);
                return ValueTask.FromResult(new EchoResult("goodbye"));
            });
        });

        await harness.SendAsync("""{"jsonrpc":"2.0","id":9,"method":"bye"}""");

        Assert.Equal("goodbye", (await harness.ReadJsonAsync()).GetProperty("result").GetProperty("text").GetString());
        await harness.Peer.Completion;
        Assert.Equal("asked to close", harness.Peer.CloseReason);
    }
}

using System.Text;
using Agor.Protocol.JsonRpc;

namespace Agor.Protocol.Tests;

/// <summary>
/// A peer that sends and never reads (issue 9, item 2: 400k requests grew the heap by 212 MiB and
/// the sender never slowed). Now the answers fill a bounded queue, this side stops reading, and
/// the flood waits on itself; our heap stays within a stated bound.
/// </summary>
public sealed class FloodTests
{
    private const int Requests = 400_000;
    private const int QueueBound = 1024 * 1024;

    // Stated bound for the heap growth while flooded: the 1 MiB queue, the pipes' 64 KiB buffers,
    // one read's worth of answers being collected, plus slack for the GC's own bookkeeping.
    private const long HeapBound = 24L * 1024 * 1024;

    [Fact(Timeout = 120_000)]
    public async Task AFloodFromAPeerThatNeverReads_StallsTheSenderAndBoundsOurHeap()
    {
        await using var harness = new RawPeerHarness(new JsonRpcPeerOptions { Name = "flooded", MaxOutgoingQueueBytes = QueueBound }, null);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        var sender = Task.Run(async () =>
        {
            var chunk = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i => $$$"""{"jsonrpc":"2.0","id":{{{i}}},"method":"echo","params":{"text":"flood"}}""" + "\n")));
            for (var sent = 0; sent < Requests; sent += 1000)
            {
                await harness.Input.WriteAsync(chunk);
            }
        });

        await Task.WhenAny(sender, harness.Peer.OutgoingQueueFilled);

        Assert.False(sender.IsCompleted, "the whole flood was taken in: nothing pushed back");
        var heapFlooded = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        Assert.True(heapFlooded < HeapBound, $"heap grew by {heapFlooded / 1024 / 1024} MiB under the flood");
        Assert.InRange(harness.Peer.QueuedOutgoingBytes, 0, QueueBound + (256 * 1024));

        // Once the flooder reads, every request is answered, none lost.
        var answered = 0;
        while (answered < Requests && await harness.ReadRawLineAsync() is { } line)
        {
            Assert.True(line.AsSpan().IndexOf("\"flood\""u8) > 0);
            answered++;
        }

        await sender;
        Assert.Equal(Requests, answered);
        Assert.Null(harness.Peer.CloseReason);
    }

    [Fact(Timeout = 60_000)]
    public async Task NotificationsToAPeerThatNeverReads_WaitForRoomInsteadOfGrowingTheQueue()
    {
        await using var harness = new RawPeerHarness(new JsonRpcPeerOptions { Name = "notifier", MaxOutgoingQueueBytes = QueueBound }, null);
        var note = new EchoParams(new string('n', 200));

        ValueTask waiting = default;
        var sent = 0;
        for (; sent < 1_000_000; sent++)
        {
            waiting = harness.Peer.NotifyAsync(TestMethods.Note, note);
            if (!waiting.IsCompleted)
            {
                break;
            }
        }

        Assert.True(sent < 1_000_000, "a million notifications were queued without waiting");
        Assert.InRange(harness.Peer.QueuedOutgoingBytes, 0, QueueBound + (64 * 1024));

        var read = 0;
        var reading = Task.Run(async () =>
        {
            while (read <= sent && await harness.ReadRawLineAsync() is not null)
            {
                read++;
            }
        });
        await waiting;
        await reading;
        Assert.Equal(sent + 1, read);
    }
}

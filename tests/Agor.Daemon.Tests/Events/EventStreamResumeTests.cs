using System.Globalization;
using System.Net.Sockets;
using Agor.Daemon.Api;
using Agor.Daemon.Events;

namespace Agor.Daemon.Tests.Events;

/// <summary>Resuming <c>GET /events</c> over real HTTP: complete, in order, and a slow client loses nothing.</summary>
public sealed class EventStreamResumeTests
{
    [Fact(Timeout = 120_000)]
    public async Task SixThousandStoredEvents_ReplayCompleteAndInOrder_AndLiveOnesJoinWithoutGapOrDuplicate()
    {
        await using var host = await EventStreamHost.StartAsync(new EventHubOptions());
        for (var i = 1; i <= 6000; i++)
        {
            await PublishAsync(host.Hub, i, string.Empty);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var response = await SseReader.OpenAsync(http, host.Address, 0, timeout.Token);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // Live events keep coming while the client is still replaying the backlog.
        var live = Task.Run(async () =>
        {
            for (var i = 6001; i <= 6500; i++)
            {
                await PublishAsync(host.Hub, i, string.Empty);
            }
        });

        var ids = new List<long>();
        while (ids.Count < 6500 && await reader.NextAsync(timeout.Token) is { } next)
        {
            ids.Add(next.Id);
            Assert.Equal(next.Id.ToString(CultureInfo.InvariantCulture), System.Text.Json.JsonDocument.Parse(next.Data).RootElement.GetProperty("version").GetString());
        }

        await live;
        Assert.Equal(Enumerable.Range(1, 6500).Select(i => (long)i), ids);
    }

    [Fact(Timeout = 120_000)]
    public async Task AClientThatDoesNotRead_IsDropped_ThenResumesWithNothingMissing()
    {
        await using var host = await EventStreamHost.StartAsync(new EventHubOptions { ClientQueueBytes = 256 * 1024 });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // A tiny receive window, so the kernel's buffers fill soon and the daemon's queue for the client grows.
        using var slowHttp = new HttpClient(new SocketsHttpHandler { ConnectCallback = ConnectWithSmallWindowAsync }) { Timeout = Timeout.InfiniteTimeSpan };
        using var slow = await SseReader.OpenAsync(slowHttp, host.Address, null, timeout.Token);
        var padding = new string('p', 16 * 1024);
        var published = 0;
        while (!host.Log.Messages.Any(l => l.Contains("dropped", StringComparison.Ordinal)))
        {
            Assert.True(published < 5000, "the client that does not read was never dropped");
            await PublishAsync(host.Hub, ++published, padding);
        }

        // A few more after the drop: the client must get them on its resume.
        for (var i = 0; i < 20; i++)
        {
            await PublishAsync(host.Hub, ++published, padding);
        }

        Assert.Equal(0, host.Hub.SubscriberCount);
        var ids = new List<long>();
        using (var reader = new SseReader(await slow.Content.ReadAsStreamAsync(timeout.Token)))
        {
            // What was queued before the drop arrives, then the stream ends.
            while (await reader.NextAsync(timeout.Token) is { } next)
            {
                ids.Add(next.Id);
            }
        }

        Assert.NotEmpty(ids);
        Assert.True(ids[^1] < published, "the dropped stream should end before the newest event");
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var resumed = await SseReader.OpenAsync(http, host.Address, ids[^1], timeout.Token);
        using (var reader = new SseReader(await resumed.Content.ReadAsStreamAsync(timeout.Token)))
        {
            while (ids[^1] < published && await reader.NextAsync(timeout.Token) is { } next)
            {
                ids.Add(next.Id);
            }
        }

        Assert.Equal(Enumerable.Range(1, published).Select(i => (long)i), ids);
    }

    private static Task PublishAsync(EventHub hub, int version, string padding) =>
        hub.PublishAsync(EventNames.TaskUpdated, "ses_1", new HealthView("ok", version.ToString(CultureInfo.InvariantCulture)) with { Status = "ok" + padding }, ApiJsonContext.Default.HealthView);

    private static async ValueTask<Stream> ConnectWithSmallWindowAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

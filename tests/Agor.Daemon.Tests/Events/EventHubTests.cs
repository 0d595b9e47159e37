using System.Globalization;
using Agor.Daemon.Api;
using Agor.Daemon.Events;
using Agor.Daemon.Storage.Sqlite;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Events;

/// <summary>The live event fan-out with a real SQLite store behind it.</summary>
public sealed class EventHubTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("agor-events-").FullName;
    private SqliteAgorStore _store = null!;

    public async Task InitializeAsync() => _store = await SqliteAgorStore.OpenAsync(Path.Combine(_directory, "agor.db"), CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact(Timeout = 30_000)]
    public async Task AClientThatStopsReading_IsDroppedWithALogLine_AndTheOthersGetEverything()
    {
        var log = new CapturingLogger();
        using var hub = new EventHub(_store.Events, new EventHubOptions { ClientQueueEvents = 64 }, TimeProvider.System, log);
        using var stalled = hub.Subscribe(null, null, "stalled-client");
        using var reader = hub.Subscribe(null, null, "reading-client");
        var received = 0;
        for (var i = 0; i < 64 + 10; i++)
        {
            await PublishDeltaAsync(hub, i.ToString(CultureInfo.InvariantCulture));

            // This client keeps up: it reads each event as it comes.
            received += (await reader.ReadAsync())!.Count;
        }

        Assert.Equal(64 + 10, received);

        // The stalled client keeps what was queued for it, then its stream ends (it reconnects with Last-Event-ID).
        Assert.Equal(64, await DrainAsync(stalled));
        Assert.Contains(log.Messages, l => l.Contains("stalled-client", StringComparison.Ordinal) && l.Contains("dropped", StringComparison.Ordinal));
        Assert.Equal(1, hub.SubscriberCount);
    }

    [Fact(Timeout = 30_000)]
    public async Task AClientBehindByMoreBytesThanItsBound_IsDropped_ThoughFewEventsWait()
    {
        var log = new CapturingLogger();
        using var hub = new EventHub(_store.Events, new EventHubOptions { ClientQueueEvents = 4096, ClientQueueBytes = 256 * 1024 }, TimeProvider.System, log);
        using var stalled = hub.Subscribe(null, null, "stalled-client");
        var big = new string('x', 40 * 1024);

        // Ten events of 40 KiB: far under the event bound, over the 256 KiB byte bound.
        for (var i = 0; i < 10; i++)
        {
            await PublishDeltaAsync(hub, big);
        }

        var kept = await DrainAsync(stalled);
        Assert.Equal(6, kept);
        Assert.Contains(log.Messages, l => l.Contains("stalled-client", StringComparison.Ordinal) && l.Contains("dropped", StringComparison.Ordinal));
        Assert.Equal(0, hub.SubscriberCount);
    }

    [Fact(Timeout = 30_000)]
    public async Task AReconnectingClient_GetsTheStoredEventsAfterItsLastId_ThenLiveOnes_WithoutDuplicates()
    {
        using var hub = new EventHub(_store.Events, new EventHubOptions(), TimeProvider.System, new CapturingLogger());
        for (var i = 0; i < 5; i++)
        {
            await hub.PublishAsync(EventNames.TaskUpdated, i % 2 == 0 ? "ses_a" : "ses_b", new HealthView("ok", $"{i}"), ApiJsonContext.Default.HealthView);
        }

        using var resumed = hub.Subscribe("ses_a", 1, "resumed");
        await hub.PublishAsync(EventNames.TaskUpdated, "ses_a", new HealthView("ok", "live"), ApiJsonContext.Default.HealthView);

        var got = new List<string>();
        while (got.Count < 3)
        {
            got.AddRange((await resumed.ReadAsync())!.Select(e => e.Data.GetProperty("version").GetString()!));
        }

        // Event 1 (ses_a, "0") was seen already; 2 and 4 belong to ses_b.
        Assert.Equal(["2", "4", "live"], got);
    }

    [Fact(Timeout = 60_000)]
    public async Task ConcurrentPublishers_ReachAClientInIdOrder_EveryOneOnce()
    {
        using var hub = new EventHub(_store.Events, new EventHubOptions(), TimeProvider.System, new CapturingLogger());
        using var client = hub.Subscribe(null, null, "client");
        const int Publishers = 8;
        const int Each = 250;
        var publishing = Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < Each; i++)
            {
                await hub.PublishAsync(EventNames.TaskUpdated, $"ses_{p}", new HealthView("ok", $"{p}.{i}"), ApiJsonContext.Default.HealthView);
            }
        })).ToList();

        var ids = new List<long>();
        while (ids.Count < Publishers * Each)
        {
            ids.AddRange((await client.ReadAsync())!.Select(e => e.Id));
        }

        await Task.WhenAll(publishing);
        Assert.Equal(Enumerable.Range(1, Publishers * Each).Select(i => (long)i), ids);
    }

    [Fact(Timeout = 60_000)]
    public async Task ALiveEventThatDoesNotFitDuringAReplay_DropsTheClient_AndItsResumeMissesNothing()
    {
        var log = new CapturingLogger();
        using var hub = new EventHub(_store.Events, new EventHubOptions { ClientQueueEvents = 32 }, TimeProvider.System, log);
        for (var i = 0; i < 100; i++)
        {
            await PublishStoredAsync(hub, i);
        }

        // The client asks for everything but reads only the first page before live events pile up.
        using (var first = hub.Subscribe(null, 0, "replaying"))
        {
            var seen = (await first.ReadAsync())!.Select(e => e.Id).ToList();
            for (var i = 100; i < 200; i++)
            {
                await PublishStoredAsync(hub, i);
            }

            Assert.Contains(log.Messages, l => l.Contains("replaying", StringComparison.Ordinal) && l.Contains("dropped", StringComparison.Ordinal));
            while (await first.ReadAsync() is { } more)
            {
                seen.AddRange(more.Select(e => e.Id));
            }

            // Resumes where it stopped: every event once, in order.
            using var second = hub.Subscribe(null, seen[^1], "resumed");
            while (seen.Count < 200)
            {
                seen.AddRange((await second.ReadAsync())!.Select(e => e.Id));
            }

            Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), seen);
        }
    }

    private static Task PublishDeltaAsync(EventHub hub, string text) =>
        hub.PublishAsync(EventNames.MessageDelta, "ses_1", new HealthView("ok", text), ApiJsonContext.Default.HealthView, transient: true);

    private static Task PublishStoredAsync(EventHub hub, int i) =>
        hub.PublishAsync(EventNames.TaskUpdated, "ses_1", new HealthView("ok", i.ToString(CultureInfo.InvariantCulture)), ApiJsonContext.Default.HealthView);

    private static async Task<int> DrainAsync(EventSubscription subscription)
    {
        var count = 0;
        while (await subscription.ReadAsync() is { } batch)
        {
            count += batch.Count;
        }

        return count;
    }
}

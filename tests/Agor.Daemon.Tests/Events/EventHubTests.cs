using Agor.Daemon.Api;
using Agor.Daemon.Events;
using Agor.Daemon.Storage.Sqlite;
using Agor.Testing.Support;
using Microsoft.Extensions.Logging;

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
        var hub = new EventHub(_store.Events, TimeProvider.System, log);
        using var stop = new CancellationTokenSource();
        var stalled = await hub.SubscribeAsync(null, null, "stalled-client", stop.Token);
        var reader = await hub.SubscribeAsync(null, null, "reading-client", stop.Token);
        var received = 0;
        for (var i = 0; i < EventHub.ClientQueueCapacity + 100; i++)
        {
            await hub.PublishAsync(EventNames.MessageDelta, "ses_1", new HealthView("ok", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), ApiJsonContext.Default.HealthView, transient: true);

            // This client keeps up: it reads each event as it comes.
            if (reader.TryRead(out _))
            {
                received++;
            }
        }

        Assert.Equal(EventHub.ClientQueueCapacity + 100, received);
        // The stalled client keeps what was queued for it, then its stream ends (it reconnects with Last-Event-ID).
        var leftover = 0;
        await foreach (var _ in stalled.ReadAllAsync().WithCancellation(stop.Token))
        {
            leftover++;
        }

        Assert.Equal(EventHub.ClientQueueCapacity, leftover);
        Assert.Contains(log.Messages, l => l.Contains("stalled-client", StringComparison.Ordinal) && l.Contains("dropped", StringComparison.Ordinal));
        Assert.Equal(1, hub.SubscriberCount);
        await stop.CancelAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task AReconnectingClient_GetsTheStoredEventsAfterItsLastId_ThenLiveOnes_WithoutDuplicates()
    {
        var hub = new EventHub(_store.Events, TimeProvider.System, new CapturingLogger());
        for (var i = 0; i < 5; i++)
        {
            await hub.PublishAsync(EventNames.TaskUpdated, i % 2 == 0 ? "ses_a" : "ses_b", new HealthView("ok", $"{i}"), ApiJsonContext.Default.HealthView);
        }

        using var stop = new CancellationTokenSource();
        var resumed = await hub.SubscribeAsync("ses_a", 1, "resumed", stop.Token);
        await hub.PublishAsync(EventNames.TaskUpdated, "ses_a", new HealthView("ok", "live"), ApiJsonContext.Default.HealthView);

        var got = new List<string>();
        while (got.Count < 3)
        {
            var e = await resumed.ReadAsync(stop.Token);
            got.Add(e.Data.GetProperty("version").GetString()!);
        }

        // Event 1 (ses_a, "0") was seen already; 2 and 4 belong to ses_b.
        Assert.Equal(["2", "4", "live"], got);
        Assert.False(resumed.TryRead(out _));
        await stop.CancelAsync();
    }
}

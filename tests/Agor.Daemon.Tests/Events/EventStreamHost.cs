using Agor.Daemon.Api;
using Agor.Daemon.Events;
using Agor.Daemon.Hosting;
using Agor.Daemon.Storage;
using Agor.Daemon.Storage.Sqlite;
using Agor.Testing.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Tests.Events;

/// <summary>
/// The daemon's real <c>GET /events</c> endpoint on real Kestrel (a loopback port) over a real
/// SQLite store and event hub, so a test can store thousands of events quickly and read them as a
/// client would, without a daemon process and its executors.
/// </summary>
internal sealed class EventStreamHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SqliteAgorStore _store;
    private readonly StreamShutdown _streams;
    private readonly string _directory;

    private EventStreamHost(WebApplication app, SqliteAgorStore store, EventHub hub, StreamShutdown streams, string directory, CapturingLogger log, Uri address)
    {
        _app = app;
        _store = store;
        Hub = hub;
        _streams = streams;
        _directory = directory;
        Log = log;
        Address = address;
    }

    public EventHub Hub { get; }

    public CapturingLogger Log { get; }

    public Uri Address { get; }

    public static async Task<EventStreamHost> StartAsync(EventHubOptions options)
    {
        var directory = Directory.CreateTempSubdirectory("agor-sse-").FullName;
        var store = await SqliteAgorStore.OpenAsync(Path.Combine(directory, "agor.db"), CancellationToken.None);
        var log = new CapturingLogger();
        var hub = new EventHub(store.Events, options, TimeProvider.System, log);
        var streams = new StreamShutdown();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IAgorStore>(store);
        builder.Services.AddSingleton(hub);
        builder.Services.AddSingleton(streams);
        var app = builder.Build();
        EventStreamEndpoint.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EventStreamHost(app, store, hub, streams, directory, log, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _streams.EndStreamsAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Hub.Dispose();
        _streams.Dispose();
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

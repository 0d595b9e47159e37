using Agor.Daemon.Api;
using Agor.Daemon.Configuration;
using Agor.Daemon.Events;
using Agor.Daemon.Execution;
using Agor.Daemon.Executors;
using Agor.Daemon.Gateway;
using Agor.Daemon.Network;
using Agor.Daemon.Permissions;
using Agor.Daemon.Sandbox;
using Agor.Daemon.Sandbox.Cgroups;
using Agor.Daemon.Security;
using Agor.Daemon.Storage;
using Agor.Daemon.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Hosting;

/// <summary>
/// The daemon: storage, the executor pool, the task coordinator and the HTTP API, started in that
/// order after putting right what an earlier daemon left behind, and stopped in reverse: no new
/// prompts, running tasks stopped as cancelled, the pool shut down, then the API closed.
/// </summary>
internal sealed class DaemonHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IAgorStore _store;
    private readonly ExecutorPool _pool;
    private readonly TaskCoordinator _coordinator;
    private readonly StreamShutdown _streams;
    private readonly EventHub _events;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ExecutionSettings _settings;
    private readonly AgentExits _exits;
    private int _stopped;

    private DaemonHost(WebApplication app, IAgorStore store, ExecutorPool pool, TaskCoordinator coordinator, StreamShutdown streams, EventHub events, ILoggerFactory loggers, ILogger logger, ExecutionSettings settings, AgentExits exits)
    {
        _exits = exits;
        _settings = settings;
        _events = events;
        _loggers = loggers;
        _streams = streams;
        _app = app;
        _store = store;
        _pool = pool;
        _coordinator = coordinator;
        _logger = logger;
    }

    /// <summary>The egress proxy's loopback port (the one unconfined agents are given).</summary>
    public int EgressProxyPort => _exits.Egress.Port;

    /// <summary>The address the API listens on, e.g. <c>http://127.0.0.1:3030</c>.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>The configuration in use, and its reload (SIGHUP, see <see cref="ConfigReloadSignal"/>).</summary>
    public required ConfigReloader Config { get; init; }

    /// <summary>Cancelled when the daemon is asked to stop (SIGTERM, SIGINT).</summary>
    public CancellationToken StopRequested => _app.Lifetime.ApplicationStopping;

    public static async Task<DaemonHost> StartAsync(AgorConfig config, string apiToken, Action<ILoggingBuilder> configureLogging, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var executorPath = ResolveExecutorPath(config);
        var databasePath = Path.Combine(config.Home, config.Database.Path);
        PortPreflight.ThrowIfTaken(config.Daemon);

        // One logger factory for the daemon's parts and for ASP.NET Core alike; the host disposes it
        // last, so the lines written while stopping are flushed.
        var loggers = LoggerFactory.Create(configureLogging);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = config.Home });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseUrls($"http://{config.Daemon.Host}:{config.Daemon.Port}");
        builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = config.Daemon.MaxRequestBodyBytes);

        var logger = loggers.CreateLogger("Agor.Daemon");
        var clock = TimeProvider.System;
        var store = await SqliteAgorStore.OpenAsync(databasePath, cancellationToken);
        var events = new EventHub(
            store.Events,
            new EventHubOptions { ClientQueueEvents = config.Daemon.SseClientQueueEvents, ClientQueueBytes = config.Daemon.SseClientQueueBytes },
            clock,
            loggers.CreateLogger<EventHub>());
        var ledger = new ExecutorLedger(Path.Combine(config.Home, "run"), logger);
        await StartupRecovery.RunAsync(store, events, ledger, clock, logger, cancellationToken);

        var tokens = new SessionTokenService(store.Tokens, config.Execution, clock);
        var reloader = new ConfigReloader(config, loggers.CreateLogger("Agor.Daemon.Configuration"));
        var permissions = new PermissionBroker(store, events, clock, () => TimeSpan.FromMilliseconds(reloader.Current.Execution.PermissionTimeoutMs), loggers.CreateLogger<PermissionBroker>());
        var exits = await AgentExits.StartAsync(config, store.Egress, clock, loggers, cancellationToken);
        var taskGateway = exits.Gateway is null ? null : new TaskGateway(exits.Gateway, store, () => reloader.Current.Limits);
        var handlers = new ExecutorRequestHandlers(store, tokens, permissions, events, config, taskGateway, exits.Egress, exits.Network, clock, loggers.CreateLogger<ExecutorRequestHandlers>());
        var pool = await ExecutorPool.CreateAsync(
            new ExecutorPoolOptions { Settings = config.Execution, ExecutorPath = executorPath, RegisterHandlers = handlers.Register },
            loggers.CreateLogger("Agor.Daemon.Executors"),
            cancellationToken);
        ledger.Follow(pool);
        pool.Changed += change => PublishExecutorChange(events, change, logger);
        var limiter = ResourceLimiters.Detect(AgorHome.InstanceName(config.Home), loggers.CreateLogger("Agor.Daemon.Sandbox.Cgroups"));
        var sandbox = await SandboxStartup.RunAsync(config, executorPath, pool, limiter, exits.Network, loggers.CreateLogger("Agor.Daemon.Sandbox"), cancellationToken);
        var coordinator = new TaskCoordinator(store, pool, tokens, events, sandbox, config.Execution, clock, loggers.CreateLogger<TaskCoordinator>());
        handlers.Coordinator = coordinator;
        var readiness = DaemonReadiness.Run(config, pool.Mode, sandbox.Status, logger);

        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton<IAgorStore>(store);
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton(events);
        builder.Services.AddSingleton(permissions);
        builder.Services.AddSingleton(pool);
        builder.Services.AddSingleton(coordinator);
        builder.Services.AddSingleton(sandbox);
        builder.Services.AddSingleton(sandbox.Status);
        builder.Services.AddSingleton(readiness);
        var streams = new StreamShutdown();
        builder.Services.AddSingleton(streams);

        var signIn = new WebSignIn(apiToken, clock);
        builder.Services.AddSingleton(signIn);
        var address = new DaemonAddress();
        builder.Services.AddSingleton(address);

        var app = builder.Build();
        app.Use(new ApiTokenAuthentication(apiToken, signIn, address).InvokeAsync);
        LoginEndpoints.Map(app);
        WebPage.Map(app);
        HealthEndpoint.Map(app);
        SessionEndpoints.Map(app);
        TaskEndpoints.Map(app);
        PermissionEndpoints.Map(app);
        EventStreamEndpoint.Map(app);
        ExecutorEndpoints.Map(app);
        AuditEndpoints.Map(app);
        EgressEndpoints.Map(app);

        var host = new DaemonHost(app, store, pool, coordinator, streams, events, loggers, logger, config.Execution, exits) { Config = reloader };
        await app.StartAsync(cancellationToken);
        host.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        address.Set(host.Address);
        exits.Egress.Policy.ReservePort(new Uri(host.Address).Port);
        HostLog.Listening(logger, DaemonVersion.Current, host.Address, config.Home, databasePath);
        return host;
    }

    /// <summary>
    /// Stops in order: no new prompts, running tasks cancelled, the pool shut down, the API closed.
    /// Bounded whatever the executors do: tasks get <c>stop_grace_ms</c> to report and their killed
    /// executors <c>shutdown_grace_ms</c> to be reaped (a second <c>shutdown_grace_ms</c> is slack);
    /// the pool then takes at most 3 × <c>shutdown_grace_ms</c> + 1 s per executor, in parallel, and
    /// the API 5 s (see docs/DECISIONS.md).
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        HostLog.ShuttingDown(_logger);
        var tasksBound = TimeSpan.FromMilliseconds(_settings.StopGraceMs + (2.0 * _settings.ShutdownGraceMs));
        try
        {
            await _coordinator.ShutdownAsync().WaitAsync(tasksBound);
        }
        catch (TimeoutException)
        {
            // Should not happen (every step inside is bounded); if it does, the pool's shutdown below kills what is left.
            HostLog.TasksStopTimedOut(_logger, tasksBound.TotalMilliseconds);
        }

        await _pool.DisposeAsync();
        await _streams.EndStreamsAsync();
        await _app.StopAsync();
        await _exits.DisposeAsync();

        await _coordinator.DisposeAsync();
        await _store.DisposeAsync();
        _streams.Dispose();
        _events.Dispose();
        HostLog.Stopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        _loggers.Dispose();
    }

    private static string ResolveExecutorPath(AgorConfig config)
    {
        var path = config.Execution.ExecutorPath is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "agor-executor");
        return File.Exists(path)
            ? path
            : throw new ConfigException(ConfigLoader.FileName, [$"execution.executor_path: the executor '{path}' does not exist (set execution.executor_path or AGOR_EXECUTOR_PATH)"]);
    }

    private static void PublishExecutorChange(EventHub events, ExecutorEvent change, ILogger logger)
    {
        var view = new ExecutorEventView(change.Kind, ExecutorView.From(change.Executor), change.Detail);
        _ = PublishAsync();

        async Task PublishAsync()
        {
            try
            {
                await events.PublishAsync(EventNames.ExecutorUpdated, null, view, ApiJsonContext.Default.ExecutorEventView);
            }
            catch (Exception ex)
            {
                HostLog.PublishFailed(logger, ex, EventNames.ExecutorUpdated);
            }
        }
    }
}

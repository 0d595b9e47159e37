using System.Net;
using Agor.Daemon.Configuration;
using Agor.Daemon.Network;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Gateway;

/// <summary>
/// The model gateway: its own Kestrel server, apart from the API, on loopback for unconfined agents
/// and on the agents' Unix socket (see <see cref="AgentNetwork"/>) for sandboxed ones, where a
/// connection from a user that runs no executor is dropped before its first byte is read. Only
/// placeholders get in; the real key is added here and never leaves this process except toward
/// the configured upstream.
/// </summary>
internal sealed class ModelGateway : IAsyncDisposable
{
    public const string DefaultUpstream = "https://api.anthropic.com";

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;

    private ModelGateway(WebApplication app, HttpClient upstream, PlaceholderRegistry placeholders)
    {
        _app = app;
        _upstream = upstream;
        Placeholders = placeholders;
    }

    public PlaceholderRegistry Placeholders { get; }

    /// <summary>The gateway's base URL for ANTHROPIC_BASE_URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>
    /// Starts the gateway; null when no Anthropic key is configured (there is nothing to forward with).
    /// Its requests are recorded in <paramref name="audit"/> (none: not recorded, as in the gateway's own specs).
    /// </summary>
    public static async Task<ModelGateway?> StartAsync(AgorConfig config, AgentNetwork? network, Storage.IEgressStore? audit, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!config.Credentials.Services.TryGetValue("anthropic", out var credential) || string.IsNullOrEmpty(credential.ApiKey))
        {
            return null;
        }

        var upstreamUrl = new Uri(credential.BaseUrl is { Length: > 0 } configured ? configured : DefaultUpstream);
        var logger = loggers.CreateLogger("Agor.Daemon.Gateway");
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };

        // No overall timeout: an answer streams for as long as the model writes; the agent's abort ends it.
        var upstream = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var placeholders = new PlaceholderRegistry();
        var forwarder = new GatewayForwarder(
            upstream, upstreamUrl, credential.ApiKey, config.Network.GatewayMaxRequestBytes, placeholders, new GatewayAudit(audit, upstreamUrl, TimeProvider.System, logger), logger);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = config.Home });
        builder.Logging.ClearProviders();
        builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = config.Network.GatewayMaxRequestBytes;
            Listen(o, config.Network, network);
        });

        var app = builder.Build();
        app.Run(forwarder.HandleAsync);
        var gateway = new ModelGateway(app, upstream, placeholders);
        await app.StartAsync(cancellationToken);
        gateway.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => !a.StartsWith("http://unix:", StringComparison.Ordinal));
        GatewayLog.Listening(logger, gateway.Url, upstreamUrl.GetLeftPart(UriPartial.Authority));
        return gateway;
    }

    private static void Listen(KestrelServerOptions options, NetworkSettings settings, AgentNetwork? network)
    {
        options.Listen(IPAddress.Loopback, settings.GatewayPort);
        if (network is not null)
        {
            options.ListenUnixSocket(network.GatewaySocket, listen => listen.Use(next => connection => Admit(connection, next, network.Peers)));
        }
    }

    private static Task Admit(ConnectionContext connection, ConnectionDelegate next, AgentPeers peers)
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket && peers.Admit(socket, "gateway"))
        {
            return next(connection);
        }

        connection.Abort();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}

using System.Net;
using Agor.Daemon.Configuration;
using Agor.Daemon.Gateway.Upstreams;
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
/// connection from a user that runs no executor is dropped before its first byte is read. One
/// gateway for every service with a key (Anthropic, OpenAI, Google), routed by path. Only
/// placeholders get in; the real keys are added here and never leave this process except toward
/// their own configured upstream.
/// </summary>
internal sealed class ModelGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;

    private readonly HashSet<string> _services;

    private ModelGateway(WebApplication app, HttpClient upstream, PlaceholderRegistry placeholders, IEnumerable<string> services)
    {
        _app = app;
        _upstream = upstream;
        Placeholders = placeholders;
        _services = new HashSet<string>(services, StringComparer.Ordinal);
    }

    public PlaceholderRegistry Placeholders { get; }

    /// <summary>True when the gateway forwards to <paramref name="service"/> (it has a key for it).</summary>
    public bool Serves(string service) => _services.Contains(service);

    /// <summary>
    /// The gateway's base URL, the same for every agent (no <c>/v1</c>): ANTHROPIC_BASE_URL, Codex's
    /// provider base_url once the executor adds <c>/v1</c>, GOOGLE_GEMINI_BASE_URL. E.g. <c>http://127.0.0.1:41234</c>.
    /// </summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>
    /// Starts the gateway; null when no service of <see cref="GatewayServices.All"/> has a key (there is nothing to forward with).
    /// Its requests are recorded in <paramref name="audit"/> (none: not recorded, as in the gateway's own specs).
    /// </summary>
    public static async Task<ModelGateway?> StartAsync(AgorConfig config, AgentNetwork? network, Storage.IEgressStore? audit, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var upstreams = Upstreams(config.Credentials);
        if (upstreams.Count == 0)
        {
            return null;
        }

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
            upstream, upstreams, config.Network.GatewayMaxRequestBytes, placeholders, new GatewayAudit(audit, TimeProvider.System, logger), logger);

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
        var gateway = new ModelGateway(app, upstream, placeholders, upstreams.Select(u => u.Service));
        await app.StartAsync(cancellationToken);
        gateway.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => !a.StartsWith("http://unix:", StringComparison.Ordinal));
        foreach (var api in upstreams)
        {
            GatewayLog.Listening(logger, gateway.Url, api.Service, api.BaseUrl.GetLeftPart(UriPartial.Authority));
        }

        return gateway;
    }

    /// <summary>One upstream per service that has a key, at its configured base URL or the vendor's.</summary>
    private static List<ModelUpstream> Upstreams(CredentialSettings credentials)
    {
        var upstreams = new List<ModelUpstream>();
        foreach (var service in GatewayServices.All)
        {
            if (credentials.Services.TryGetValue(service, out var credential) && credential.ApiKey is { Length: > 0 } key)
            {
                upstreams.Add(service switch
                {
                    GatewayServices.OpenAi => new OpenAiUpstream(BaseUrl(credential, OpenAiUpstream.DefaultBaseUrl), key),
                    GatewayServices.Google => new GeminiUpstream(BaseUrl(credential, GeminiUpstream.DefaultBaseUrl), key),
                    _ => new AnthropicUpstream(BaseUrl(credential, AnthropicUpstream.DefaultBaseUrl), key),
                });
            }
        }

        return upstreams;
    }

    private static Uri BaseUrl(ServiceCredential credential, string fallback) =>
        new(credential.BaseUrl is { Length: > 0 } configured ? configured : fallback);

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

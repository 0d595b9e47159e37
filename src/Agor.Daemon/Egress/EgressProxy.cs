using Agor.Daemon.Configuration;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Agor.Daemon.Domain;
using Agor.Daemon.Network;
using Agor.Daemon.Storage;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Egress;

/// <summary>
/// The egress proxy: accepts on 127.0.0.1:<c>network.proxy_port</c> (unconfined agents) and on the
/// agents' Unix socket (sandboxed ones, bridged into their network namespace; a peer whose uid runs
/// no executor is dropped at accept), and hands each connection to a <see cref="ProxyConnection"/>.
/// Raw sockets rather than a library: YARP is a reverse proxy and does not do forward CONNECT tunnelling.
/// </summary>
internal sealed partial class EgressProxy : IAsyncDisposable
{
    private readonly NetworkSettings _settings;
    private readonly ProxyConnectionContext _context;
    private readonly ConcurrentDictionary<string, int> _perTask = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ProxyConnection, byte> _open = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _accepting = [];
    private int _connections;

    public EgressProxy(NetworkSettings settings, EgressTokens tokens, IEgressStore store, TimeProvider clock, ILogger logger)
    {
        _settings = settings;
        _logger = logger;
        Tokens = tokens;
        Policy = new EgressPolicy([.. settings.AllowedHosts.Select(AllowedHost.Parse)]);
        _context = new ProxyConnectionContext(settings, Policy, tokens, store, clock, this, logger);
    }

    /// <summary>What it lets through (the daemon reserves its own ports in it).</summary>
    public EgressPolicy Policy { get; }

    public EgressTokens Tokens { get; }

    /// <summary>Raised once a connection's record is stored (its id set); specs wait on it instead of polling.</summary>
    public event Action<EgressConnection>? Recorded;

    /// <summary>The port it listens on (after <see cref="Start"/>).</summary>
    public int Port { get; private set; }

    /// <summary>The proxy URL with a task's credentials, as curl, git, npm and node read HTTP_PROXY.</summary>
    public static string UrlFor(string token, string hostPort) => $"http://{EgressTokens.UserName}:{token}@{hostPort}";

    /// <summary>Binds 127.0.0.1:<c>network.proxy_port</c> (or <paramref name="endpoint"/>) and starts accepting.</summary>
    public void Start(EndPoint? endpoint = null) => Listen(endpoint ?? new IPEndPoint(IPAddress.Loopback, _settings.ProxyPort), peers: null);

    /// <summary>Binds the Unix socket at <paramref name="path"/>, where only <paramref name="peers"/> are served.</summary>
    public void StartUnix(string path, AgentPeers peers) => Listen(new UnixDomainSocketEndPoint(path), peers);

    private void Listen(EndPoint endpoint, AgentPeers? peers)
    {
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, endpoint is IPEndPoint ? ProtocolType.Tcp : ProtocolType.Unspecified);
        try
        {
            listener.Bind(endpoint);
            listener.Listen(128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listeners.Add(listener);
        if (listener.LocalEndPoint is IPEndPoint ip)
        {
            Port = ip.Port;
        }

        _accepting.Add(AcceptLoopAsync(listener, peers, _stopping.Token));
        Log.Listening(_logger, listener.LocalEndPoint?.ToString() ?? "?", _settings.AllowedHosts.Count);
    }

    /// <summary>The environment the agent gets: every proxy variable, upper and lower case, at its address, and NO_PROXY for the hosts it reaches directly.</summary>
    public Dictionary<string, string> EnvironmentFor(string taskId, AgentAddresses addresses)
    {
        var url = UrlFor(Tokens.Mint(taskId), addresses.ProxyHostPort);
        var noProxyHosts = addresses.NoProxy;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY" })
        {
            environment[name] = url;
            environment[name.ToLowerInvariant()] = url;
        }

        var noProxy = string.Join(',', noProxyHosts.Where(h => h.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase));
        if (noProxy.Length > 0)
        {
            environment["NO_PROXY"] = noProxy;
            environment["no_proxy"] = noProxy;
        }

        return environment;
    }

    /// <summary>Counts a connection against its task's limit; false when the task already holds <c>max_connections_per_task</c>.</summary>
    internal bool TryEnter(string taskId)
    {
        while (true)
        {
            var current = _perTask.GetOrAdd(taskId, 0);
            if (current >= _settings.MaxConnectionsPerTask)
            {
                return false;
            }

            if (_perTask.TryUpdate(taskId, current + 1, current))
            {
                return true;
            }
        }
    }

    internal void OnRecorded(EgressConnection connection) => Recorded?.Invoke(connection);

    internal void Leave(string taskId)
    {
        while (_perTask.TryGetValue(taskId, out var current))
        {
            if (current <= 1 ? _perTask.TryRemove(new KeyValuePair<string, int>(taskId, current)) : _perTask.TryUpdate(taskId, current - 1, current))
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listeners.ForEach(l => l.Dispose());
        await Task.WhenAll(_accepting);
        foreach (var connection in _open.Keys)
        {
            connection.Abort();
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, AgentPeers? peers, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (peers is not null && !peers.Admit(client, "proxy"))
            {
                client.Dispose();
                continue;
            }

            if (Interlocked.Increment(ref _connections) > _settings.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                client.Dispose();
                continue;
            }

            var connection = new ProxyConnection(client, _context);
            _open[connection] = 0;
            _ = RunAsync(connection, cancellationToken);
        }
    }

    private async Task RunAsync(ProxyConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.RunAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_logger, ex);
        }
        finally
        {
            _open.TryRemove(connection, out _);
            Interlocked.Decrement(ref _connections);
            connection.Abort();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Egress proxy listening on {Endpoint} ({AllowedCount} allowed_hosts entries)")]
        public static partial void Listening(ILogger logger, string endpoint, int allowedCount);

        [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Egress proxy connection failed")]
        public static partial void ConnectionFailed(ILogger logger, Exception exception);
    }
}

using Agor.Daemon.Configuration;
using System.Threading.Channels;
using Agor.Daemon.Domain;
using Agor.Daemon.Egress;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Daemon.Tests.Egress;

/// <summary>A real egress proxy on loopback over a real SQLite store; its records arrive on <see cref="NextRecordAsync"/>.</summary>
internal sealed class EgressProxyHarness : IAsyncDisposable
{
    private readonly Channel<EgressConnection> _records = Channel.CreateUnbounded<EgressConnection>();
    private readonly EgressProxy _proxy;

    private EgressProxyHarness(EgressProxy proxy)
    {
        _proxy = proxy;
        _proxy.Recorded += r => _records.Writer.TryWrite(r);
    }

    public int Port => _proxy.Port;

    public EgressTokens Tokens => _proxy.Tokens;

    public EgressProxy Proxy => _proxy;

    public static EgressProxyHarness Start(Agor.Daemon.Storage.Sqlite.SqliteAgorStore store, NetworkSettings settings)
    {
        var proxy = new EgressProxy(settings, new EgressTokens(), store.Egress, TimeProvider.System, NullLogger.Instance);
        proxy.Start();
        return new EgressProxyHarness(proxy);
    }

    public async Task<EgressConnection> NextRecordAsync(CancellationToken cancellationToken) => await _records.Reader.ReadAsync(cancellationToken);

    public ValueTask DisposeAsync() => _proxy.DisposeAsync();
}

using Agor.Daemon.Configuration;
using Agor.Daemon.Egress;
using Agor.Daemon.Gateway;
using Agor.Daemon.Interop;
using Agor.Daemon.Storage;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Network;

/// <summary>
/// The agents' only ways out, started together before any executor and stopped together after the
/// last: the sockets' directory (<see cref="AgentNetwork"/>), the egress proxy and the model gateway
/// (absent when no Anthropic key is configured), each on loopback and on its Unix socket.
/// </summary>
internal sealed class AgentExits : IAsyncDisposable
{
    private AgentExits(AgentNetwork network, EgressProxy egress, ModelGateway? gateway)
    {
        Network = network;
        Egress = egress;
        Gateway = gateway;
    }

    public AgentNetwork Network { get; }

    public EgressProxy Egress { get; }

    public ModelGateway? Gateway { get; }

    public static async Task<AgentExits> StartAsync(AgorConfig config, IEgressStore store, TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var network = AgentNetwork.Create(config.Execution, config.Network, Native.geteuid(), loggers.CreateLogger("Agor.Daemon.Network"));
        EgressProxy? egress = null;
        try
        {
            egress = new EgressProxy(config.Network, new EgressTokens(), store, clock, loggers.CreateLogger("Agor.Daemon.Egress"));
            egress.Start();
            egress.StartUnix(network.ProxySocket, network.Peers);
            var gateway = await ModelGateway.StartAsync(config, network, store, loggers, cancellationToken);
            network.Started(gateway?.Url, egress.Port);

            // Through the proxy, never the daemon's own listeners, whatever allowed_hosts opens on loopback.
            egress.Policy.ReservePort(egress.Port);
            if (gateway is not null)
            {
                egress.Policy.ReservePort(new Uri(gateway.Url).Port);
            }

            return new AgentExits(network, egress, gateway);
        }
        catch
        {
            if (egress is not null)
            {
                await egress.DisposeAsync();
            }

            network.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Egress.DisposeAsync();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        Network.Dispose();
    }
}

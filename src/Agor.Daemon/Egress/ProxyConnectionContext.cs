using Agor.Daemon.Configuration;
using Agor.Daemon.Storage;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Egress;

/// <summary>What every proxy connection shares: settings, policy, tokens, the record and the per-task counts.</summary>
internal sealed record ProxyConnectionContext(
    NetworkSettings Settings,
    EgressPolicy Policy,
    EgressTokens Tokens,
    IEgressStore Store,
    TimeProvider Clock,
    EgressProxy Proxy,
    ILogger Logger);

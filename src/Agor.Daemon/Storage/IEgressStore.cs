using Agor.Daemon.Domain;

namespace Agor.Daemon.Storage;

/// <summary>The egress proxy's record of connections.</summary>
internal interface IEgressStore
{
    /// <summary>Stores a finished connection (allowed or refused); returns its id.</summary>
    Task<long> AppendAsync(EgressConnection connection, CancellationToken cancellationToken = default);

    /// <summary>A task's connections, oldest first, <paramref name="limit"/> at a time after <paramref name="after"/>.</summary>
    Task<Page<EgressConnection>> ListForTaskAsync(string taskId, int limit, PageKey? after, CancellationToken cancellationToken = default);
}

namespace Agor.Daemon.Storage;

/// <summary>
/// All of the daemon's persistent state. The SQL lives behind these interfaces only (today
/// SQLite; a PostgreSQL implementation can follow). Every method may be called concurrently.
/// </summary>
internal interface IAgorStore : IAsyncDisposable
{
    ISessionStore Sessions { get; }

    ITaskStore Tasks { get; }

    IMessageStore Messages { get; }

    IPermissionStore Permissions { get; }

    ITokenStore Tokens { get; }

    IAuditStore Audit { get; }

    IEventStore Events { get; }

    IEgressStore Egress { get; }
}

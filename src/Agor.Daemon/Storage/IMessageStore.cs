using Agor.Daemon.Domain;

namespace Agor.Daemon.Storage;

internal interface IMessageStore
{
    /// <summary>Stores a message and returns it with its session sequence (1, 2, 3... per session).</summary>
    Task<StoredMessage> AppendAsync(StoredMessage message, CancellationToken cancellationToken = default);

    /// <summary>A session's messages with a sequence greater than <paramref name="afterSequence"/>, in order.</summary>
    Task<IReadOnlyList<StoredMessage>> ListAsync(string sessionId, long afterSequence, int limit, CancellationToken cancellationToken = default);
}

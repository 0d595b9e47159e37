namespace Agor.Protocol.JsonRpc;

/// <summary>Settings of one <see cref="JsonRpcPeer"/>. Every limit guards this side against a hostile or broken peer.</summary>
public sealed record JsonRpcPeerOptions
{
    /// <summary>The default maximum line length: 8 MiB.</summary>
    public const int DefaultMaxLineBytes = 8 * 1024 * 1024;

    /// <summary>The default cap on incoming requests being handled at once: 1024.</summary>
    public const int DefaultMaxRequestsInFlight = 1024;

    /// <summary>The default cap on the elements of one incoming batch: 256.</summary>
    public const int DefaultMaxBatchSize = 256;

    /// <summary>The default bound of the outgoing queue: 4 MiB of encoded messages.</summary>
    public const int DefaultMaxOutgoingQueueBytes = 4 * 1024 * 1024;

    /// <summary>The default number of invalid messages in a row that closes the connection: 1000.</summary>
    public const int DefaultMaxConsecutiveViolations = 1000;

    /// <summary>A line longer than this closes the connection. Default 8 MiB.</summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    /// <summary>
    /// Incoming requests whose answer is not queued yet, at most (a batch counts its requests).
    /// A request beyond it is answered -32004 at once, a batch beyond it as a whole. Default 1024.
    /// </summary>
    public int MaxRequestsInFlight { get; init; } = DefaultMaxRequestsInFlight;

    /// <summary>A batch with more elements is answered with one -32600 for the whole batch. Default 256.</summary>
    public int MaxBatchSize { get; init; } = DefaultMaxBatchSize;

    /// <summary>
    /// Bytes of encoded messages waiting for the peer to read them. Above it this side stops reading
    /// (a peer that sends and never reads slows itself) and local notifications wait. Default 4 MiB.
    /// One message larger than the bound is still sent whole.
    /// </summary>
    public int MaxOutgoingQueueBytes { get; init; } = DefaultMaxOutgoingQueueBytes;

    /// <summary>Invalid messages in a row (parse errors, invalid requests, unknown methods, over-limit batches or requests) that close the connection. Default 1000.</summary>
    public int MaxConsecutiveViolations { get; init; } = DefaultMaxConsecutiveViolations;

    /// <summary>
    /// After the peer shut down its side, how long requests it already sent may take to be
    /// answered before the connection closes anyway. Default 2 s.
    /// </summary>
    public TimeSpan HalfCloseDrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Timeout of a request made without an explicit one. Default: none.</summary>
    public TimeSpan DefaultRequestTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>A name for the connection in logs (for example the executor id).</summary>
    public string Name { get; init; } = "jsonrpc";

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first limit that is not positive.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineBytes, 1, nameof(MaxLineBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestsInFlight, 1, nameof(MaxRequestsInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutgoingQueueBytes, 1, nameof(MaxOutgoingQueueBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConsecutiveViolations, 1, nameof(MaxConsecutiveViolations));
        ArgumentOutOfRangeException.ThrowIfLessThan(HalfCloseDrainTimeout, TimeSpan.Zero, nameof(HalfCloseDrainTimeout));
    }
}

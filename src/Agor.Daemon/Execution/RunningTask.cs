using System.Security.Cryptography;
using System.Text;
using Agor.Daemon.Domain;
using Agor.Daemon.Executors;
using Agor.Protocol.Wire;

namespace Agor.Daemon.Execution;

/// <summary>A task while an executor runs it: its token, its executor, and how it ends.</summary>
internal sealed class RunningTask(AgorTask task, Session session, ExecutorLease lease, string token, DateTimeOffset tokenExpiresAt)
{
    private readonly byte[] _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    private long _lastSequence;
    private int _keyRequests;
    private int _waitingForPermission;

    public AgorTask Task { get; set; } = task;

    public Session Session { get; } = session;

    public ExecutorLease Lease { get; } = lease;

    public string Token { get; } = token;

    public string ExecutorId => Lease.ExecutorId;

    /// <summary>The executor's <c>report_completion</c>.</summary>
    public TaskCompletionSource<ReportCompletionParams> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Fires when the task ends, whatever the way: pending permission questions stop waiting.</summary>
    public CancellationTokenSource Ended { get; } = new();

    /// <summary>Completes once the task's final status is stored.</summary>
    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set by a stop request: the outcome is <c>cancelled</c> whatever the executor does.</summary>
    public bool StopRequested { get; set; }

    /// <summary>Completes when a stopped task's executor did not report in time and must be ended.</summary>
    public TaskCompletionSource StopDeadline { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Revoked { get; set; }

    /// <summary>Checks a token presented with a notification, in memory and in constant time (notifications are the hot path).</summary>
    public bool Accepts(string? token, string executorId, TimeProvider clock) =>
        token is not null
        && !Revoked
        && executorId == ExecutorId
        && clock.GetUtcNow() < tokenExpiresAt
        && CryptographicOperations.FixedTimeEquals(_tokenHash, SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Counts a key request; false past the per-task limit.</summary>
    public bool AllowKeyRequest(int limit) => Interlocked.Increment(ref _keyRequests) <= limit;

    /// <summary>Notes the sequence of a message; returns the number expected instead when there is a gap.</summary>
    public long? NoteSequence(long sequence)
    {
        var expected = Interlocked.Exchange(ref _lastSequence, sequence) + 1;
        return sequence == expected ? null : expected;
    }

    /// <summary>One more (or one fewer) permission question in the air; returns how many are.</summary>
    public int ChangeWaiting(bool waiting) => Interlocked.Add(ref _waitingForPermission, waiting ? 1 : -1);
}

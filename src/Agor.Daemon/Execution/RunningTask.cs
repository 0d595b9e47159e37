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
    private int _keyRequests;
    private int _waitingForPermission;
    private int _revoked;
    private int _stopRequested;
    private int _promptSent;

    public AgorTask Task { get; set; } = task;

    public Session Session { get; } = session;

    public ExecutorLease Lease { get; } = lease;

    public string Token { get; } = token;

    public string ExecutorId => Lease.ExecutorId;

    /// <summary>True when the agent runs in a network namespace of its own: it is given the addresses inside it.</summary>
    public bool NetworkIsolated { get; init; }

    /// <summary>Set (once, by compare-exchange) when the task first asks for its model key: the gateway's view of it.</summary>
    public Gateway.GatewayTask? GatewaySlot;

    public Gateway.GatewayTask? Gateway => Volatile.Read(ref GatewaySlot);

    /// <summary>What the task's messages have used of its limits, and where its sequence is.</summary>
    public MessageBudget Messages { get; } = new();

    /// <summary>The executor's <c>report_completion</c>.</summary>
    public TaskCompletionSource<ReportCompletionParams> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when the daemon ends the task itself (a limit exceeded): the executor is killed and the task fails with this error.</summary>
    public TaskCompletionSource<ErrorInfo> Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Fires when the task ends, whatever the way: pending permission questions stop waiting.</summary>
    public CancellationTokenSource Ended { get; } = new();

    /// <summary>Completes once the task's final status is stored and its executor, if it had to be killed, is reaped.</summary>
    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set by a stop request: the outcome is <c>cancelled</c> whatever the executor does.</summary>
    public bool StopRequested => Volatile.Read(ref _stopRequested) == 1;

    /// <summary>Completes when a stopped task's executor did not report in time and must be ended.</summary>
    public TaskCompletionSource StopDeadline { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the token may no longer be used: from the moment <c>report_completion</c> arrives.</summary>
    public bool Revoked => Volatile.Read(ref _revoked) == 1;

    /// <summary>
    /// Marks the stop. Returns whether the prompt was already on its way to the executor (then it must
    /// be told to stop). With <see cref="MarkPromptSent"/> (both full fences), at least one side sees the other.
    /// </summary>
    public bool RequestStop()
    {
        Interlocked.Exchange(ref _stopRequested, 1);
        return Volatile.Read(ref _promptSent) == 1;
    }

    /// <summary>Marks the prompt as about to be sent; false when a stop came first (then it must not be sent).</summary>
    public bool MarkPromptSent()
    {
        Interlocked.Exchange(ref _promptSent, 1);
        return !StopRequested;
    }

    /// <summary>Takes the executor's report: revokes the token in memory at once. False for any report after the first.</summary>
    public bool TryComplete(ReportCompletionParams report)
    {
        if (Interlocked.Exchange(ref _revoked, 1) == 1)
        {
            return false;
        }

        Completion.TrySetResult(report);
        return true;
    }

    /// <summary>Revokes the token in memory (the task ended some other way).</summary>
    public void Revoke() => Interlocked.Exchange(ref _revoked, 1);

    /// <summary>Checks a token presented with a notification, in memory and in constant time (notifications are the hot path).</summary>
    public bool Accepts(string? token, string executorId, TimeProvider clock) =>
        token is not null
        && !Revoked
        && executorId == ExecutorId
        && clock.GetUtcNow() < tokenExpiresAt
        && CryptographicOperations.FixedTimeEquals(_tokenHash, SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Counts a key request; false past the per-task limit.</summary>
    public bool AllowKeyRequest(int limit) => Interlocked.Increment(ref _keyRequests) <= limit;

    /// <summary>One more (or one fewer) permission question in the air; returns how many are.</summary>
    public int ChangeWaiting(bool waiting) => Interlocked.Add(ref _waitingForPermission, waiting ? 1 : -1);

    /// <summary>How many permission questions are in the air.</summary>
    public int Waiting => Volatile.Read(ref _waitingForPermission);
}

using System.Diagnostics;
using Agor.Protocol.Wire;

namespace Agor.Bench.Suites.Ipc;

/// <summary>
/// The daemon side of the notification figure: a <c>report_message</c> handler that only counts.
/// The clock starts at notification <c>warmup</c> (so the sender's JIT and the first buffers are
/// out of the figure) and stops at <c>total</c>. With <c>checkSequence</c>, sequence numbers must
/// run 1, 2, 3... (the raw blaster repeats one line, so it is checked only for the real sender).
/// </summary>
internal sealed class NotificationCounter(long warmup, long total, bool checkSequence)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _count;
    private long _startTimestamp;
    private long _lastSequence;
    private long _outOfOrder;
    private long _endTimestamp;

    public Task Done => _done.Task;

    public long Count => Volatile.Read(ref _count);

    /// <summary>Notifications after the warm-up per second.</summary>
    public double Rate => (total - warmup) / Stopwatch.GetElapsedTime(_startTimestamp, _endTimestamp).TotalSeconds;

    /// <summary>Sequence numbers that did not follow the previous one: must stay 0.</summary>
    public long OutOfOrder => _outOfOrder;

    /// <summary>Notification handlers run one at a time, so plain fields suffice.</summary>
    public ValueTask OnMessage(ReportMessageParams message, CancellationToken cancellationToken)
    {
        if (checkSequence && message.Sequence != _lastSequence + 1)
        {
            _outOfOrder++;
        }

        _lastSequence = message.Sequence;
        var count = ++_count;
        if (count == warmup)
        {
            _startTimestamp = Stopwatch.GetTimestamp();
        }
        else if (count == total)
        {
            _endTimestamp = Stopwatch.GetTimestamp();
            _done.TrySetResult();
        }

        return ValueTask.CompletedTask;
    }
}

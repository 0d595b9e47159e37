using Agor.Daemon.Configuration;

namespace Agor.Daemon.Execution;

/// <summary>
/// One task's messages as the daemon counts them: the last sequence stored, how many were stored and
/// how many bytes. Decides, before anything is copied or written, whether the next one may be.
/// </summary>
internal sealed class MessageBudget
{
    private readonly Lock _lock = new();
    private long _lastSequence;
    private long _count;
    private long _bytes;

    /// <summary>Checks and books one message of <paramref name="bytes"/> with <paramref name="sequence"/> (0: unsequenced, e.g. report_error).</summary>
    public MessageVerdict TryAdmit(long sequence, long bytes, LimitSettings limits)
    {
        lock (_lock)
        {
            if (sequence != 0 && sequence <= _lastSequence)
            {
                return new MessageVerdict(MessageAdmission.Stale, _lastSequence + 1);
            }

            if (bytes > limits.MaxEventBytes)
            {
                return new MessageVerdict(MessageAdmission.EventTooLarge, 0);
            }

            if (_count >= limits.MaxMessagesPerTask)
            {
                return new MessageVerdict(MessageAdmission.TooManyMessages, 0);
            }

            if (_bytes + bytes > limits.MaxStoredBytesPerTask)
            {
                return new MessageVerdict(MessageAdmission.TooManyBytes, 0);
            }

            var expected = _lastSequence + 1;
            if (sequence != 0)
            {
                _lastSequence = sequence;
            }

            _count++;
            _bytes += bytes;
            return new MessageVerdict(sequence == 0 || sequence == expected ? MessageAdmission.Stored : MessageAdmission.StoredAfterGap, expected);
        }
    }
}

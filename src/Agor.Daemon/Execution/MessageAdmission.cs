namespace Agor.Daemon.Execution;

/// <summary>Whether a reported message is stored, and if not, why.</summary>
internal enum MessageAdmission
{
    /// <summary>Stored, in order.</summary>
    Stored,

    /// <summary>Stored after a gap in the sequence (logged; messages may have been lost on the way).</summary>
    StoredAfterGap,

    /// <summary>A sequence already stored, or one that goes backwards: dropped.</summary>
    Stale,

    /// <summary>Bigger than <c>limits.max_event_bytes</c>: dropped, the task goes on.</summary>
    EventTooLarge,

    /// <summary>Past <c>limits.max_messages_per_task</c>: the task fails.</summary>
    TooManyMessages,

    /// <summary>Past <c>limits.max_stored_bytes_per_task</c>: the task fails.</summary>
    TooManyBytes,
}

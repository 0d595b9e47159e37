namespace Agor.Executor.Tasks;

/// <summary>Why a running task is being stopped.</summary>
internal enum StopReason
{
    None,

    /// <summary><c>stop_task</c>: the outcome is <c>cancelled</c>.</summary>
    Requested,

    /// <summary><c>timeout_ms</c> ran out: the outcome is <c>failed</c> with code <c>timeout</c>.</summary>
    Timeout,

    /// <summary><c>shutdown</c> did not want to wait any longer: <c>cancelled</c>.</summary>
    Shutdown,

    /// <summary>The daemon went away: nobody is left to tell.</summary>
    DaemonGone,
}

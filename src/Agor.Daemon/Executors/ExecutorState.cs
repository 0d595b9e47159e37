namespace Agor.Daemon.Executors;

/// <summary>Where an executor is in its life.</summary>
internal enum ExecutorState
{
    /// <summary>Spawned, not yet ready.</summary>
    Starting,

    /// <summary>Ready and waiting for a task (a warm executor).</summary>
    Idle,

    /// <summary>Leased to a task.</summary>
    Busy,

    /// <summary>Being shut down.</summary>
    Stopping,

    /// <summary>Gone.</summary>
    Stopped,
}

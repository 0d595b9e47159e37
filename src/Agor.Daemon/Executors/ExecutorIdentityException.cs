namespace Agor.Daemon.Executors;

/// <summary>The process at an executor's socket is not the executor the daemon launched; nothing was sent to it.</summary>
internal sealed class ExecutorIdentityException(string problem) : Exception(problem);

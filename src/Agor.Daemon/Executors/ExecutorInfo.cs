namespace Agor.Daemon.Executors;

/// <summary>One executor as <c>GET /executors</c> shows it.</summary>
internal sealed record ExecutorInfo(string ExecutorId, int Pid, string UnixUser, ExecutorState State, string? TaskId, DateTimeOffset StartedAt);

/// <summary>Something happened to an executor: <see cref="Kind"/> is started, leased, stopped, reaped or crashed.</summary>
internal sealed record ExecutorEvent(string Kind, ExecutorInfo Executor, string? Detail = null);

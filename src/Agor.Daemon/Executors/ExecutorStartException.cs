namespace Agor.Daemon.Executors;

/// <summary>An executor could not be started or did not become ready; its process has been killed.</summary>
internal sealed class ExecutorStartException(string executorId, string problem, Exception? inner = null)
    : Exception($"Executor {executorId} could not be started: {problem}", inner)
{
    public string ExecutorId { get; } = executorId;
}

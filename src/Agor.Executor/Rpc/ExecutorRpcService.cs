using Agor.Executor.Interop;
using Agor.Executor.Logging;
using Agor.Executor.Tasks;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Executor.Rpc;

/// <summary>The daemon → executor methods: what the executor answers on its one connection.</summary>
internal sealed class ExecutorRpcService(TaskSupervisor tasks, ILogger logger)
{
    private readonly TaskCompletionSource<string> _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _pid = Environment.ProcessId;
    private readonly int _uid = (int)Libc.geteuid();
    private readonly string _user = Environment.UserName;

    /// <summary>Completes with the reason once the daemon asked the executor to shut down (and was answered).</summary>
    public Task<string> ShutdownRequested => _shutdown.Task;

    public void Register(JsonRpcPeer peer)
    {
        peer.AddRequestHandler(Methods.Ping, Ping);
        peer.AddRequestHandler(Methods.Shutdown, ShutdownAsync);
        peer.AddRequestHandler(Methods.ExecutePrompt, (p, _) => ValueTask.FromResult(tasks.Execute(p)));
        peer.AddRequestHandler(Methods.StopTask, async (p, _) => await tasks.StopAsync(p));
    }

    private ValueTask<PingResult> Ping(PingParams parameters, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new PingResult(true, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _pid, _uid, _user));

    private async ValueTask<ShutdownResult> ShutdownAsync(ShutdownParams parameters, CancellationToken cancellationToken)
    {
        ExecutorLog.ShutdownRequested(logger, parameters.Reason);
        var status = await tasks.ShutdownAsync(TimeSpan.FromMilliseconds(Math.Max(0, parameters.TimeoutMs)));
        _shutdown.TrySetResult(parameters.Reason);
        return new ShutdownResult(status);
    }
}

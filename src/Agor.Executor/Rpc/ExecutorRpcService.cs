using Agor.Executor.Interop;
using Agor.Executor.Logging;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Executor.Rpc;

/// <summary>The daemon → executor methods: what the executor answers on its one connection.</summary>
internal sealed class ExecutorRpcService(ILogger logger)
{
    private readonly TaskCompletionSource<string> _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _pid = Environment.ProcessId;
    private readonly int _uid = (int)Libc.geteuid();
    private readonly string _user = Environment.UserName;

    /// <summary>Completes with the reason once the daemon asked the executor to shut down.</summary>
    public Task<string> ShutdownRequested => _shutdown.Task;

    public void Register(JsonRpcPeer peer)
    {
        peer.AddRequestHandler(Methods.Ping, Ping);
        peer.AddRequestHandler(Methods.Shutdown, Shutdown);
    }

    private ValueTask<PingResult> Ping(PingParams parameters, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new PingResult(true, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _pid, _uid, _user));

    private ValueTask<ShutdownResult> Shutdown(ShutdownParams parameters, CancellationToken cancellationToken)
    {
        ExecutorLog.ShutdownRequested(logger, parameters.Reason);
        _shutdown.TrySetResult(parameters.Reason);
        return ValueTask.FromResult(new ShutdownResult("idle"));
    }
}

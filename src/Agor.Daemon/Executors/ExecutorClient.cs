using System.Net.Sockets;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Unix;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Executors;

/// <summary>
/// The daemon's end of one executor connection: typed calls to the executor, and the peer on
/// which the daemon's own handlers (for the executor's requests) are registered.
/// </summary>
internal sealed class ExecutorClient : IAsyncDisposable
{
    private ExecutorClient(string executorId, JsonRpcPeer peer, VerifiedExecutor executor)
    {
        ExecutorId = executorId;
        Peer = peer;
        Executor = executor;
    }

    public string ExecutorId { get; }

    /// <summary>The process at the other end, as the kernel named it and the daemon verified it.</summary>
    public VerifiedExecutor Executor { get; }

    public JsonRpcPeer Peer { get; }

    /// <summary>Completes when the connection has ended.</summary>
    public Task Completion => Peer.Completion;

    /// <summary>
    /// Connects to an executor's socket, has <paramref name="verify"/> judge the peer's kernel
    /// credentials before a single byte is sent (it throws to refuse; the connection is then closed
    /// having sent nothing), and starts the peer after <paramref name="registerHandlers"/> ran.
    /// </summary>
    public static async Task<ExecutorClient> ConnectAsync(
        string executorId,
        string socketPath,
        Func<PeerCredentials, VerifiedExecutor> verify,
        JsonRpcPeerOptions options,
        Action<JsonRpcPeer>? registerHandlers,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        VerifiedExecutor executor;
        try
        {
            executor = verify(PeerCredentials.Of(socket));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var peer = new JsonRpcPeer(new NetworkStream(socket, ownsSocket: true), options, logger);
        registerHandlers?.Invoke(peer);
        peer.Start();
        return new ExecutorClient(executorId, peer, executor);
    }

    public Task<PingResult> PingAsync(CancellationToken cancellationToken = default) =>
        Peer.InvokeAsync(Methods.Ping, new PingParams(), cancellationToken: cancellationToken);

    public Task<ShutdownResult> ShutdownAsync(string reason, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Peer.InvokeAsync(Methods.Shutdown, new ShutdownParams(reason, (int)timeout.TotalMilliseconds), timeout + TimeSpan.FromSeconds(1), cancellationToken);

    /// <summary>A ping that must be answered within <paramref name="timeout"/> (the heartbeat of a running task).</summary>
    public Task<PingResult> PingAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Peer.InvokeAsync(Methods.Ping, new PingParams(), timeout, cancellationToken);

    // Every call to an executor is bounded: an executor that takes a request and never answers
    // (hung, hostile, or stopped with SIGSTOP) must not hang its caller.

    /// <summary>Throws <see cref="JsonRpcTimeoutException"/> when no answer comes within <paramref name="timeout"/>.</summary>
    public Task<ExecutePromptResult> ExecutePromptAsync(ExecutePromptParams parameters, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Peer.InvokeAsync(Methods.ExecutePrompt, parameters, timeout, cancellationToken);

    /// <summary>Throws <see cref="JsonRpcTimeoutException"/> when no answer comes within <paramref name="timeout"/>.</summary>
    public Task<StopTaskResult> StopTaskAsync(StopTaskParams parameters, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Peer.InvokeAsync(Methods.StopTask, parameters, timeout, cancellationToken);

    /// <summary>Ends the connection. The pidfd of the executor stays with its process, which may still need signals.</summary>
    public ValueTask DisposeAsync() => Peer.DisposeAsync();
}

using System.Net.Sockets;
using Agor.Executor.Agents.ClaudeCode;
using Agor.Executor.Interop;
using Agor.Executor.Logging;
using Agor.Executor.Rpc;
using Agor.Executor.Tasks;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Unix;
using Microsoft.Extensions.Logging;

namespace Agor.Executor.Hosting;

/// <summary>
/// The executor's life: listen on the socket, accept exactly one connection from the daemon's
/// UID (or root), serve it, and exit when the daemon says so, disconnects, or a signal arrives.
/// </summary>
internal sealed class ExecutorHost(ExecutorOptions options, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("executor");

    /// <summary>
    /// Prints one line on stdout once the socket listens: the daemon waits for it instead of
    /// polling for the socket file.
    /// </summary>
    public const string ReadyLine = "agor-executor ready";

    /// <summary>How long an interrupted agent gets to end its turn before its process tree is killed.</summary>
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(1);

    public async Task<int> RunAsync(CancellationToken stopping)
    {
        using var listener = Listen();
        if (listener is null)
        {
            return 2;
        }

        var socketFile = new SocketFile(options.SocketPath);
        try
        {
            await Console.Out.WriteLineAsync(ReadyLine);
            await Console.Out.FlushAsync(stopping);

            var connection = await AcceptDaemonAsync(listener, stopping);
            if (connection is null)
            {
                return stopping.IsCancellationRequested ? 0 : 3;
            }

            // Nobody else may connect from here on: the listener closes and the name goes away.
            listener.Close();
            socketFile.Remove();
            return await ServeAsync(connection, stopping);
        }
        finally
        {
            socketFile.Remove();
        }
    }

    private Socket? Listen()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // The umask (0077, set at start) makes the file 0600 from the moment it exists.
            socket.Bind(new UnixDomainSocketEndPoint(options.SocketPath));
            if (options.DaemonUid != (int)Libc.geteuid())
            {
                // Another user's daemon must be able to connect (which needs write access to the
                // file). SO_PEERCRED below is the gate, and the file is gone once the daemon is in.
                File.SetUnixFileMode(options.SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            }

            socket.Listen(4);
            ExecutorLog.Listening(_logger, options.SocketPath, options.DaemonUid, Environment.ProcessId, (int)Libc.geteuid());
            return socket;
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            ExecutorLog.CannotListen(_logger, options.SocketPath, ex.Message);
            socket.Dispose();
            return null;
        }
    }

    private async Task<Socket?> AcceptDaemonAsync(Socket listener, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(options.AcceptTimeout);
        try
        {
            while (true)
            {
                var candidate = await listener.AcceptAsync(timeout.Token);
                var peer = PeerCredentials.Of(candidate);
                if (peer.Uid == options.DaemonUid || peer.Uid == 0)
                {
                    ExecutorLog.DaemonConnected(_logger, peer.Pid, peer.Uid);
                    return candidate;
                }

                ExecutorLog.RefusedPeer(_logger, peer.Pid, peer.Uid, options.DaemonUid);
                candidate.Dispose();
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            if (!stopping.IsCancellationRequested)
            {
                ExecutorLog.AcceptTimedOut(_logger, options.AcceptTimeout.TotalMilliseconds);
            }

            return null;
        }
    }

    private async Task<int> ServeAsync(Socket connection, CancellationToken stopping)
    {
        var peerOptions = new JsonRpcPeerOptions
        {
            MaxLineBytes = options.MaxLineBytes,
            MaxRequestsInFlight = options.MaxRequestsInFlight,
            MaxBatchSize = options.MaxBatchSize,
            Name = "daemon",
        };
        await using var peer = new JsonRpcPeer(new NetworkStream(connection, ownsSocket: true), peerOptions, loggers.CreateLogger("rpc"));
        var launch = Guard.GuardedLaunch.ForThisExecutor(options.AgentUmask);
        var runners = new Agents.AgentRunners(
        [
            new ClaudeCodeRunner(loggers.CreateLogger("claude-code"), InterruptGrace, launch),
            new Agents.Codex.CodexRunner(loggers.CreateLogger("codex"), InterruptGrace, launch),
            new Agents.Gemini.GeminiRunner(loggers.CreateLogger("gemini"), InterruptGrace, launch),
        ]);
        using var tasks = new TaskSupervisor(peer, runners, _logger);
        var service = new ExecutorRpcService(tasks, _logger);
        service.Register(peer);
        peer.Start();

        var stopped = Task.Delay(Timeout.Infinite, stopping);
        var first = await Task.WhenAny(peer.Completion, service.ShutdownRequested, stopped);
        if (first == service.ShutdownRequested)
        {
            await peer.CloseAsync("shutdown requested", CancellationToken.None);
            ExecutorLog.Exiting(_logger, $"shutdown requested ({service.ShutdownRequested.Result})");
        }
        else if (first == peer.Completion)
        {
            ExecutorLog.Exiting(_logger, $"daemon connection ended: {peer.CloseReason}");
        }
        else
        {
            ExecutorLog.Exiting(_logger, "stopped by signal");
        }

        // Whatever the way out, no agent outlives its executor.
        await tasks.AbandonAsync();
        return 0;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Agor.Bench.Processes;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// One prompt through a fresh native executor, with the bench playing the daemon's side of the
/// socket: a <see cref="JsonRpcPeer"/> that answers <c>get_execution_context</c>,
/// <c>get_api_key</c> and <c>request_permission</c> (denied; the answer asks for no tool), and notes
/// the clock as <c>report_message</c> and <c>report_completion</c> arrive. The executor is started,
/// connected and idle before the clock starts: spawning it is the ipc suite's figure. The clock
/// starts just before <c>execute_prompt</c> is sent.
/// </summary>
internal sealed class ExecutorPromptRun : IAsyncDisposable
{
    private const string ReadyLine = "agor-executor ready";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly PromptAgent _agent;
    private readonly PromptSandbox _sandbox;
    private readonly HelperProcess _executor;
    private readonly string _sessionToken = "tok-" + Guid.NewGuid().ToString("N");
    private readonly string _taskId = "task-" + Guid.NewGuid().ToString("N")[..12];
    private readonly TaskCompletionSource<long> _firstDelta = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<(long At, ReportCompletionParams Report)> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<ReportErrorParams> _errors = new();
    private long _apiKeyAt;
    private JsonRpcPeer? _peer;

    private ExecutorPromptRun(PromptAgent agent, PromptSandbox sandbox, HelperProcess executor)
    {
        _agent = agent;
        _sandbox = sandbox;
        _executor = executor;
    }

    /// <summary>The executor's pid (the agent is its child).</summary>
    public int ExecutorPid => _executor.Pid;

    /// <summary>Starts an executor in <paramref name="sandbox"/> (its HOME, a cleared environment) and connects to it; not timed.</summary>
    public static Task<ExecutorPromptRun> StartAsync(PromptContext context, PromptSandbox sandbox, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return StartAsync(context.ExecutorPath, context.ClaudeAgent, sandbox, cancellationToken);
    }

    /// <summary>Starts an executor in <paramref name="sandbox"/> that will run <paramref name="agent"/>; not timed.</summary>
    public static async Task<ExecutorPromptRun> StartAsync(string executorPath, PromptAgent agent, PromptSandbox sandbox, CancellationToken cancellationToken = default)
    {
        var socketPath = SocketPaths.Next("prompt");
        var executor = HelperProcess.Start(executorPath, ["--socket", socketPath], socketPath, sandbox.ExecutorEnvironment);
        var run = new ExecutorPromptRun(agent, sandbox, executor);
        try
        {
            await executor.WaitForLineAsync(ReadyLine, cancellationToken);
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

            run._peer = new JsonRpcPeer(new NetworkStream(socket, ownsSocket: true), new JsonRpcPeerOptions { Name = "bench-daemon" });
            run.Register(run._peer);
            run._peer.Start();

            // One round trip before the clock, so that the connection is warm as a pooled executor's is.
            _ = await run._peer.InvokeAsync(Methods.Ping, new PingParams(), TimeSpan.FromSeconds(10), cancellationToken);
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends the prompt and waits for its completion. <paramref name="whileStreaming"/>, when given,
    /// runs as soon as the first text delta arrived (the check run inspects the agent process then).
    /// <paramref name="sandbox"/> goes out as <c>execute_prompt.sandbox</c> (null: none, unconfined).
    /// </summary>
    public async Task<PromptTimes> ExecuteAsync(Func<ExecutorPromptRun, Task>? whileStreaming = null, SandboxSpec? sandbox = null, CancellationToken cancellationToken = default)
    {
        var peer = _peer ?? throw new InvalidOperationException("Not started.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        var parameters = new ExecutePromptParams
        {
            SessionToken = _sessionToken,
            SessionId = "bench-session",
            TaskId = _taskId,
            Prompt = PromptContext.Prompt,
            Cwd = _sandbox.WorkingDirectory,
            PermissionMode = PromptContext.PermissionMode,
            Sandbox = sandbox,
        };

        var startUtc = DateTimeOffset.UtcNow;
        var start = Stopwatch.GetTimestamp();
        var accepted = await peer.InvokeAsync(Methods.ExecutePrompt, parameters, TimeSpan.FromSeconds(10), timeout.Token);
        if (!accepted.Accepted)
        {
            throw new InvalidOperationException("The executor did not accept execute_prompt.");
        }

        try
        {
            var firstDelta = await _firstDelta.Task.WaitAsync(timeout.Token);
            if (whileStreaming is not null)
            {
                await whileStreaming(this);
            }

            var (completedAt, report) = await _completion.Task.WaitAsync(timeout.Token);
            if (report.Status != CompletionStatus.Completed)
            {
                throw new InvalidOperationException($"The task ended {report.Status}: {report.Error?.Code}: {report.Error?.Message}");
            }

            return new PromptTimes(
                _agent.RequestOffsetMs(startUtc),
                Milliseconds(start, firstDelta),
                Milliseconds(start, completedAt),
                ApiKeyMs: Milliseconds(start, Volatile.Read(ref _apiKeyAt)),
                Confined: report.Sandbox?.Confined,
                SandboxNote: report.Sandbox is { } s ? s.Reason ?? s.Mechanism : null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var state = _completion.Task.IsCompleted ? "completed" : _firstDelta.Task.IsCompleted ? "streamed, no report_completion" : "no text delta";
            throw new TimeoutException($"The prompt through the executor did not finish within {RunTimeout.TotalSeconds:0} s ({state}). Errors: {string.Join("; ", _errors.Select(e => e.Error.Message))}");
        }
    }

    /// <summary>Asks the executor to shut down, closes the connection and reaps it; not timed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_peer is not null)
        {
            try
            {
                _ = await _peer.InvokeAsync(Methods.Shutdown, new ShutdownParams("bench run done", 2_000), TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is JsonRpcConnectionLostException or JsonRpcTimeoutException or JsonRpcException or ObjectDisposedException)
            {
                // It is gone already, or goes when the connection closes below.
            }

            await _peer.DisposeAsync();
        }

        await _executor.DisposeAsync();
    }

    private static double Milliseconds(long start, long end) => Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;

    private void Register(JsonRpcPeer peer)
    {
        peer.AddRequestHandler(Methods.GetExecutionContext, (p, _) =>
        {
            RequireToken(p.SessionToken);
            return ValueTask.FromResult(new TaskExecutionContext
            {
                SessionId = "bench-session",
                TaskId = _taskId,
                Agent = _agent.Name,
                AgentPath = _agent.Path,
                PermissionMode = PromptContext.PermissionMode,
            });
        });
        peer.AddRequestHandler(Methods.GetApiKey, (p, _) =>
        {
            Volatile.Write(ref _apiKeyAt, Stopwatch.GetTimestamp());
            RequireToken(p.SessionToken);
            return ValueTask.FromResult(new ApiKeyResult(_agent.ApiKey, _agent.BaseUrl));
        });
        peer.AddRequestHandler(Methods.RequestPermission, (p, _) =>
        {
            RequireToken(p.SessionToken);
            return ValueTask.FromResult(new PermissionDecision(false, "The bench allows no tools."));
        });
        peer.AddRequestHandler(Methods.ReportCompletion, (p, _) =>
        {
            var now = Stopwatch.GetTimestamp();
            RequireToken(p.SessionToken);
            _completion.TrySetResult((now, p));
            return ValueTask.FromResult(new AcknowledgedResult(true));
        });
        peer.AddNotificationHandler(Methods.ReportMessage, (p, _) =>
        {
            var now = Stopwatch.GetTimestamp();
            if (!_firstDelta.Task.IsCompleted && _agent.IsFirstDelta(p.EventType, p.EventData))
            {
                _firstDelta.TrySetResult(now);
            }

            return ValueTask.CompletedTask;
        });
        peer.AddNotificationHandler(Methods.ReportError, (p, _) =>
        {
            _errors.Enqueue(p);
            return ValueTask.CompletedTask;
        });
    }

    private void RequireToken(string token)
    {
        if (token != _sessionToken)
        {
            throw new JsonRpcException(JsonRpcErrorCode.InvalidSessionToken, "Invalid or expired session token.");
        }
    }
}

using System.Collections.Concurrent;
using System.Net.Sockets;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Testing.Daemon;

/// <summary>
/// Plays the daemon for one real executor process: answers its requests as scripted, records every
/// message it reports, and sends it prompts. The executor runs with a clean environment and a
/// fresh HOME of its own.
/// </summary>
public sealed class ScriptedDaemon : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ReportCompletionParams>> _completions = new();
    private readonly ConcurrentQueue<ReportMessageParams> _messages = new();
    private readonly ConcurrentQueue<ReportErrorParams> _errors = new();
    private readonly ConcurrentQueue<RequestPermissionParams> _permissionRequests = new();
    private readonly ConcurrentQueue<string> _apiKeyRequests = new();
    private readonly SemaphoreSlim _messageArrived = new(0);

    private ScriptedDaemon(RawExecutor executor, string home, ScriptedDaemonOptions options)
    {
        Executor = executor;
        Home = home;
        Options = options;
        AgentSessionId = options.AgentSessionId;
    }

    /// <summary>The agent session the next execution context names for resuming; tests set it between tasks.</summary>
    public string? AgentSessionId { get; set; }

    public RawExecutor Executor { get; }

    /// <summary>The executor's (and so the agent's) HOME.</summary>
    public string Home { get; }

    public ScriptedDaemonOptions Options { get; }

    public JsonRpcPeer Peer { get; private set; } = null!;

    public IReadOnlyList<ReportMessageParams> Messages => [.. _messages];

    public IReadOnlyList<ReportErrorParams> Errors => [.. _errors];

    public IReadOnlyList<RequestPermissionParams> PermissionRequests => [.. _permissionRequests];

    /// <summary>The services the executor asked keys for.</summary>
    public IReadOnlyList<string> ApiKeyRequests => [.. _apiKeyRequests];

    public static async Task<ScriptedDaemon> StartAsync(ScriptedDaemonOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var home = Directory.CreateTempSubdirectory("agor-home-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["HOME"] = home,
            ["LANG"] = "C.UTF-8",
        };
        var executor = await RawExecutor.StartAsync(options.ExecutorArguments, environment, cancellationToken);
        var daemon = new ScriptedDaemon(executor, home, options);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(executor.SocketPath), cancellationToken);
        daemon.Peer = new JsonRpcPeer(new NetworkStream(socket, ownsSocket: true), new JsonRpcPeerOptions { Name = "scripted-daemon" });
        daemon.Register(daemon.Peer);
        daemon.Peer.Start();
        return daemon;
    }

    /// <summary>Sends <c>execute_prompt</c> for a new task and returns its params (the task id among them).</summary>
    public async Task<ExecutePromptParams> ExecuteAsync(string prompt, string cwd, string permissionMode = "default", long timeoutMs = 0, string? taskId = null)
    {
        var parameters = new ExecutePromptParams
        {
            SessionToken = Options.SessionToken,
            SessionId = "session-1",
            TaskId = taskId ?? $"task-{Guid.NewGuid():N}"[..13],
            Prompt = prompt,
            Cwd = cwd,
            PermissionMode = permissionMode,
            TimeoutMs = timeoutMs,
        };
        Completion(parameters.TaskId);
        var accepted = await Peer.InvokeAsync(Methods.ExecutePrompt, parameters, TimeSpan.FromSeconds(10));
        return accepted.Accepted ? parameters : throw new InvalidOperationException("execute_prompt was not accepted");
    }

    /// <summary>The task's <c>report_completion</c>, once it comes.</summary>
    public Task<ReportCompletionParams> WaitForCompletionAsync(string taskId, TimeSpan? timeout = null) =>
        Completion(taskId).Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Waits for the first reported message that matches.</summary>
    public async Task<ReportMessageParams> WaitForMessageAsync(Func<ReportMessageParams, bool> match, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_messages.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await _messageArrived.WaitAsync(cancellation.Token);
        }
    }

    public IReadOnlyList<ReportMessageParams> MessagesOf(string taskId) => [.. _messages.Where(m => m.TaskId == taskId)];

    public async ValueTask DisposeAsync()
    {
        if (Peer is not null)
        {
            await Peer.DisposeAsync();
        }

        // The daemon is gone: the executor ends its agent and exits on its own; give it the chance.
        try
        {
            await Executor.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        await Executor.DisposeAsync();
        _messageArrived.Dispose();
        Directory.Delete(Home, recursive: true);
    }

    private TaskCompletionSource<ReportCompletionParams> Completion(string taskId) =>
        _completions.GetOrAdd(taskId, _ => new TaskCompletionSource<ReportCompletionParams>(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Register(JsonRpcPeer peer)
    {
        peer.AddRequestHandler(Methods.GetExecutionContext, (p, _) =>
        {
            RequireToken(p.SessionToken);
            return ValueTask.FromResult(new TaskExecutionContext
            {
                SessionId = "session-1",
                TaskId = "from-token",
                Agent = Options.Agent,
                AgentPath = Options.AgentPath,
                Model = Options.Model,
                AgentSessionId = AgentSessionId,
                Env = Options.AgentEnvironment,
            });
        });
        peer.AddRequestHandler(Methods.GetApiKey, (p, _) =>
        {
            RequireToken(p.SessionToken);
            _apiKeyRequests.Enqueue(p.Service);
            return Options.ApiKey is { } key
                ? ValueTask.FromResult(new ApiKeyResult(key, Options.BaseUrl))
                : throw new JsonRpcException(JsonRpcErrorCode.NoApiKey, $"No API key is configured for '{p.Service}'.");
        });
        peer.AddRequestHandler(Methods.RequestPermission, async (p, ct) =>
        {
            RequireToken(p.SessionToken);
            _permissionRequests.Enqueue(p);
            return await Options.DecidePermission(p);
        });
        peer.AddRequestHandler(Methods.ReportCompletion, (p, _) =>
        {
            RequireToken(p.SessionToken);
            Completion(p.TaskId).TrySetResult(p);
            return ValueTask.FromResult(new AcknowledgedResult(true));
        });
        peer.AddNotificationHandler(Methods.ReportMessage, (p, _) =>
        {
            _messages.Enqueue(p);
            _messageArrived.Release();
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
        if (token != Options.SessionToken)
        {
            throw new JsonRpcException(JsonRpcErrorCode.InvalidSessionToken, "Invalid or expired session token.");
        }
    }
}

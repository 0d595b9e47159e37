using Agor.Executor.Agents;
using Agor.Executor.Logging;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Executor.Tasks;

/// <summary>
/// One prompt, start to end: ask the daemon for the context and then for the key, run the agent,
/// report the outcome. <see cref="Completion"/> never faults.
/// </summary>
internal sealed class PromptTask : IDisposable
{
    private static readonly TimeSpan DaemonCallTimeout = TimeSpan.FromSeconds(30);

    private readonly JsonRpcPeer _daemon;
    private readonly IAgentRunner _runner;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource? _deadline;
    private int _stopReason;
    private volatile bool _finished;

    public PromptTask(JsonRpcPeer daemon, ExecutePromptParams parameters, IAgentRunner runner, ILogger logger)
    {
        _daemon = daemon;
        Parameters = parameters;
        _runner = runner;
        _logger = logger;
        if (parameters.TimeoutMs > 0)
        {
            _deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(parameters.TimeoutMs));
            _deadline.Token.Register(() => Stop(StopReason.Timeout));
        }

        Completion = Task.Run(RunAsync);
    }

    public ExecutePromptParams Parameters { get; }

    public string TaskId => Parameters.TaskId;

    /// <summary>Completes once the agent is gone and the outcome was reported (or could not be).</summary>
    public Task Completion { get; }

    /// <summary>
    /// True once the agent is gone and the outcome known, just before it is reported: a daemon that
    /// sends the next prompt as soon as it has the report must not find this executor busy.
    /// </summary>
    public bool Finished => _finished || Completion.IsCompleted;

    /// <summary>Asks the task to stop; the first reason given wins.</summary>
    public void Stop(StopReason reason)
    {
        if (Interlocked.CompareExchange(ref _stopReason, (int)reason, (int)StopReason.None) == (int)StopReason.None)
        {
            ExecutorLog.StopRequested(_logger, TaskId, reason.ToString());
            _stop.Cancel();
        }
    }

    public void Dispose()
    {
        _deadline?.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        AgentOutcome outcome;
        try
        {
            outcome = await RunAgentAsync();
        }
        catch (JsonRpcConnectionLostException ex)
        {
            ExecutorLog.TaskFinished(_logger, TaskId, "abandoned", $" ({ex.Reason})");
            return;
        }

        outcome = ((StopReason)Volatile.Read(ref _stopReason)) switch
        {
            StopReason.Timeout when outcome.Interrupted || outcome.Status == CompletionStatus.Cancelled =>
                AgentOutcome.Failed(ErrorCodes.Timeout, $"The task did not finish within {Parameters.TimeoutMs} ms and was stopped.", outcome.AgentSessionId) with { Usage = outcome.Usage, CostUsd = outcome.CostUsd },
            _ => outcome,
        };
        ExecutorLog.TaskFinished(_logger, TaskId, outcome.Status, outcome.Error is { } error ? $" ({error.Code}: {error.Message})" : string.Empty);
        _finished = true;
        await ReportAsync(outcome);
    }

    private async Task<AgentOutcome> RunAgentAsync()
    {
        TaskExecutionContext context;
        ApiKeyResult key;
        try
        {
            context = await _daemon.InvokeAsync(Methods.GetExecutionContext, new GetExecutionContextParams(Parameters.SessionToken), DaemonCallTimeout, _stop.Token);
            var service = ServiceOf(context.Agent);
            try
            {
                key = await _daemon.InvokeAsync(Methods.GetApiKey, new GetApiKeyParams(Parameters.SessionToken, service), DaemonCallTimeout, _stop.Token);
            }
            catch (JsonRpcException ex) when (ex.Code == JsonRpcErrorCode.NoApiKey)
            {
                return AgentOutcome.Failed(ErrorCodes.NoApiKey, $"No API key for '{service}': {ex.Message}");
            }
        }
        catch (JsonRpcException ex)
        {
            return AgentOutcome.Failed(ErrorCodes.ContextUnavailable, $"The daemon refused the task's context: {ex.Message}");
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            return ex is OperationCanceledException
                ? new AgentOutcome(CompletionStatus.Cancelled) { Interrupted = true }
                : AgentOutcome.Failed(ErrorCodes.ContextUnavailable, ex.Message);
        }

        var request = new AgentRunRequest
        {
            AgentPath = context.AgentPath,
            Prompt = Parameters.Prompt,
            WorkingDirectory = Parameters.Cwd,
            PermissionMode = Parameters.PermissionMode,
            Tools = Parameters.Tools.Count > 0 ? Parameters.Tools : context.Tools,
            Model = context.Model,
            ResumeSessionId = context.AgentSessionId,
            Environment = AgentEnvironment.Build(context.Env, key.ApiKey, key.BaseUrl, Parameters.PermissionMode),
        };
        return await _runner.RunAsync(request, new DaemonTaskHost(_daemon, Parameters, _logger), _stop.Token);
    }

    private async Task ReportAsync(AgentOutcome outcome)
    {
        try
        {
            await _daemon.InvokeAsync(
                Methods.ReportCompletion,
                new ReportCompletionParams
                {
                    SessionToken = Parameters.SessionToken,
                    TaskId = TaskId,
                    Status = outcome.Status,
                    TokenUsage = outcome.Usage,
                    CostUsd = outcome.CostUsd,
                    AgentSessionId = outcome.AgentSessionId,
                    Error = outcome.Error,
                },
                DaemonCallTimeout);
        }
        catch (Exception ex) when (ex is JsonRpcException or JsonRpcConnectionLostException or TimeoutException)
        {
            ExecutorLog.CompletionNotReported(_logger, TaskId, ex.Message);
        }
    }

    /// <summary>The credentials service an agent needs.</summary>
    private static string ServiceOf(string agent) => agent switch
    {
        "codex" => "openai",
        "gemini" => "google",
        _ => "anthropic",
    };
}

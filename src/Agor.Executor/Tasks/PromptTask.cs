using Agor.Executor.Agents;
using Agor.Executor.Logging;
using Agor.Executor.Sandbox;
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
    private readonly AgentRunners _runners;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource? _deadline;
    private readonly Task _previous;
    private SandboxReport? _sandbox;
    private int _stopReason;
    private int _reported;

    /// <param name="previous">The task before this one on the executor: its agent may still be ending, and this one starts after it.</param>
    public PromptTask(JsonRpcPeer daemon, ExecutePromptParams parameters, AgentRunners runners, ILogger logger, Task? previous = null)
    {
        _previous = previous ?? Task.CompletedTask;
        _daemon = daemon;
        Parameters = parameters;
        _runners = runners;
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
    /// True once the outcome is known, just before it is reported (the agent may still be ending):
    /// a daemon that sends the next prompt as soon as it has the report must not find this executor
    /// busy; the next task then starts once this one's agent is gone.
    /// </summary>
    public bool Finished => Volatile.Read(ref _reported) == 1 || Completion.IsCompleted;

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
        await _previous;
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

        await ReportOnceAsync(outcome);
    }

    /// <summary>
    /// The agent gave its result and is ending on its own: report now. A task being stopped reports
    /// only once its agent is gone, as a stop promises that nothing of the task is left running.
    /// </summary>
    private Task OutcomeKnownAsync(AgentOutcome outcome) =>
        (StopReason)Volatile.Read(ref _stopReason) == StopReason.None ? ReportOnceAsync(outcome) : Task.CompletedTask;

    /// <summary>Reports the outcome, the first time it is known (at the agent's result, or when it is gone).</summary>
    private async Task ReportOnceAsync(AgentOutcome outcome)
    {
        if (Interlocked.Exchange(ref _reported, 1) == 1)
        {
            return;
        }

        outcome = ((StopReason)Volatile.Read(ref _stopReason)) switch
        {
            StopReason.Timeout when outcome.Interrupted || outcome.Status == CompletionStatus.Cancelled =>
                AgentOutcome.Failed(ErrorCodes.Timeout, $"The task did not finish within {Parameters.TimeoutMs} ms and was stopped.", outcome.AgentSessionId) with { Usage = outcome.Usage, CostUsd = outcome.CostUsd },
            _ => outcome,
        };
        ExecutorLog.TaskFinished(_logger, TaskId, outcome.Status, outcome.Error is { } error ? $" ({error.Code}: {error.Message})" : string.Empty);
        await ReportAsync(outcome);
    }

    private async Task<AgentOutcome> RunAgentAsync()
    {
        // Decided before anything starts: in required mode an unconfinable agent is never run.
        var decision = SandboxDecision.Decide(Parameters.Sandbox, Environment.GetEnvironmentVariable("PATH"));
        _sandbox = decision.Report;
        if (decision is SandboxDecision.Refused refused)
        {
            return AgentOutcome.Failed(ErrorCodes.SandboxUnavailable, refused.Message);
        }

        TaskExecutionContext context;
        ApiKeyResult key;
        IAgentRunner? runner;
        try
        {
            context = await _daemon.InvokeAsync(Methods.GetExecutionContext, new GetExecutionContextParams(Parameters.SessionToken), DaemonCallTimeout, _stop.Token);
            runner = _runners.Find(context.Agent);
            if (runner is null)
            {
                return AgentOutcome.Failed(ErrorCodes.AgentNotFound, $"This executor cannot run the agent '{context.Agent}' (it runs {string.Join(", ", _runners.Names)}).");
            }

            var service = runner.Service;
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

        var host = new DaemonTaskHost(_daemon, Parameters, OutcomeKnownAsync, _logger);
        SandboxLaunch? sandbox = null;
        switch (decision)
        {
            case SandboxDecision.Confined confined:
                var home = confined.Spec.AgentHome;
                var problem = home is null ? "the daemon named no agent_home for the session" : AgentHome.Prepare(home, confined.Spec.HomeTemplate);
                if (problem is not null)
                {
                    _sandbox = decision.Report with { Confined = false, Mechanism = "none", Namespaces = [], Seccomp = false, Home = null, Reason = problem };
                    return AgentOutcome.Failed(ErrorCodes.SandboxUnavailable, $"The agent was not started: {problem}.");
                }

                sandbox = new SandboxLaunch(confined.BwrapPath, confined.LayoutFor(Parameters.Cwd, home!));
                break;
            case SandboxDecision.Unconfined { Warning: { } warning }:
                ExecutorLog.SandboxUnconfined(_logger, TaskId, warning);
                await host.ReportEventAsync(EventTypes.System, SandboxEvents.Unconfined(warning));
                break;
        }

        var request = new AgentRunRequest
        {
            AgentPath = context.AgentPath,
            Prompt = Parameters.Prompt,
            WorkingDirectory = Parameters.Cwd,
            PermissionMode = Parameters.PermissionMode,
            Tools = Parameters.Tools.Count > 0 ? Parameters.Tools : context.Tools,
            PreApprovedTools = Parameters.PreApprovedTools,
            Model = context.Model,
            ResumeSessionId = context.AgentSessionId,
            Environment = AgentEnvironment.Build(context.Env, runner, _runners.CredentialVariables, key.ApiKey, key.BaseUrl, Parameters.PermissionMode),
            Sandbox = sandbox,
            Limits = decision.Limits,
        };
        return await runner.RunAsync(request, host, _stop.Token);
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
                    Sandbox = SandboxOf(outcome),
                },
                DaemonCallTimeout);
        }
        catch (Exception ex) when (ex is JsonRpcException or JsonRpcConnectionLostException or TimeoutException)
        {
            ExecutorLog.CompletionNotReported(_logger, TaskId, ex.Message);
        }
    }

    /// <summary>How the agent was confined: not at all when bwrap failed to set the sandbox up.</summary>
    private SandboxReport? SandboxOf(AgentOutcome outcome) =>
        _sandbox is { Confined: true } report && outcome.Error?.Code == ErrorCodes.SandboxUnavailable
            ? report with { Confined = false, Mechanism = "none", Namespaces = [], Seccomp = false, Home = null, Reason = outcome.Error.Message }
            : _sandbox;
}

using System.Text.Json;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Executor.Agents.Codex;

/// <summary>
/// Drives OpenAI Codex through <c>codex app-server</c> (see CODEX-HEADLESS.md): initialize, start
/// or resume the thread (its id is the agent session id), start one turn with the prompt, report
/// every notification as an event and answer approvals through the daemon, until
/// <c>turn/completed</c> decides the outcome. A stop interrupts the turn, and kills the tree after the grace.
/// </summary>
internal sealed class CodexRunner(ILogger logger, TimeSpan interruptGrace, Guard.GuardedLaunch launch) : IAgentRunner
{
    /// <summary>The variable the key travels in: the model provider's <c>env_key</c>, so Codex sends it as the bearer token.</summary>
    public const string KeyVariable = "AGOR_OPENAI_KEY";

    private const string BaseUrlVariable = "OPENAI_BASE_URL";
    private const string DisplayName = "Codex";

    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(3);

    /// <summary>The bound on each handshake request: the server answers in well under a second.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(60);

    public string Agent => "codex";

    public string Service => "openai";

    public IReadOnlyList<string> CredentialVariables { get; } = [KeyVariable, "OPENAI_API_KEY", "CODEX_API_KEY", BaseUrlVariable, "CODEX_HOME"];

    public void AddCredentials(IDictionary<string, string> environment, string apiKey, string? baseUrl)
    {
        ArgumentNullException.ThrowIfNull(environment);
        environment[KeyVariable] = apiKey;
        if (baseUrl is { Length: > 0 })
        {
            // Only carried to RunAsync, which takes it out again: Codex ignores it, the provider's base_url is what counts.
            environment[BaseUrlVariable] = baseUrl;
        }
    }

    public async Task<AgentOutcome> RunAsync(AgentRunRequest request, IAgentHost host, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (environment, problem) = CodexHome.Prepare(request);
        if (environment is null)
        {
            return AgentOutcome.Failed(ErrorCodes.AgentError, $"{DisplayName} was not started: {problem}.");
        }

        environment.Remove(BaseUrlVariable, out var baseUrl);
        var native = CodexProgram.Resolve(request.AgentPath, environment.GetValueOrDefault("PATH"));
        var launched = request with { AgentPath = native, Environment = environment };
        var (agent, failure) = AgentLaunch.Start(launched, CodexArguments.For(request.Model, CodexArguments.BaseUrl(baseUrl)), launch, logger, DisplayName);
        if (agent is null)
        {
            return failure!;
        }

        await using (agent)
        {
            return await DriveAsync(agent, launched, host, stop);
        }
    }

    private async Task<AgentOutcome> DriveAsync(AgentProcess agent, AgentRunRequest request, IAgentHost host, CancellationToken stop)
    {
        var connection = new CodexConnection(agent, message => host.ReportErrorAsync(ErrorCodes.MalformedOutput, message));
        var questions = new CodexQuestions(connection, host, request);
        var turn = new CodexTurn(connection);
        using var escalation = new CancellationTokenSource();
        using var killWhenEscalated = escalation.Token.Register(agent.KillTree);
        using var interruptWhenStopped = stop.Register(() =>
        {
            // Ask nicely first (turn/interrupt ends the turn within milliseconds); kill the tree if it does not.
            turn.Interrupt();
            escalation.CancelAfter(interruptGrace);
        });

        AgentOutcome? outcome = null;
        try
        {
            outcome = await StartTurnAsync(connection, turn, request);
            if (outcome is null)
            {
                var usage = new CodexUsage();
                await foreach (var message in connection.Incoming.ReadAllAsync(CancellationToken.None))
                {
                    var method = message.GetProperty("method").GetString() ?? string.Empty;
                    if (message.TryGetProperty("id", out _))
                    {
                        questions.Answer(message);
                        continue;
                    }

                    var parameters = CodexFrames.ParamsOf(message);
                    switch (method)
                    {
                        case "item/started":
                            questions.Started(parameters);
                            break;
                        case "serverRequest/resolved":
                            questions.Resolved(parameters);
                            break;
                        case "thread/tokenUsage/updated":
                            usage.Add(parameters);
                            break;
                    }

                    if (CodexEvents.Classify(method, parameters) is { } eventType)
                    {
                        await host.ReportEventAsync(eventType, message);
                    }

                    if (method == "turn/completed" && turn.IsOurs(parameters))
                    {
                        outcome = turn.Outcome(parameters, usage.Total);

                        // One prompt per run: end of input makes the server exit at once; the outcome need not wait for that.
                        await agent.CloseInputAsync();
                        await host.OutcomeKnownAsync(outcome);
                        break;
                    }
                }
            }
        }
        finally
        {
            await agent.CloseInputAsync();
            await agent.EndAsync(ExitGrace);
            await questions.CloseAsync();
        }

        return outcome ?? AgentLaunch.EndedWithoutResult(agent, request, turn.InterruptRequested, connection.SawOutput, DisplayName);
    }

    /// <summary>The handshake, the thread and the turn; null once the turn runs, else the outcome that ended it before.</summary>
    private static async Task<AgentOutcome?> StartTurnAsync(CodexConnection connection, CodexTurn turn, AgentRunRequest request)
    {
        using var timeout = new CancellationTokenSource(HandshakeTimeout);
        try
        {
            await connection.InvokeAsync("initialize", CodexFrames.Initialize, timeout.Token);
            await connection.NotifyAsync("initialized");
            var resume = request.ResumeSessionId is { Length: > 0 } ? request.ResumeSessionId : null;
            var policy = request.PermissionMode == "bypassPermissions" ? "never" : "untrusted";
            var model = request.Model is { Length: > 0 } ? request.Model : CodexArguments.DefaultModel;
            var thread = await connection.InvokeAsync(resume is null ? "thread/start" : "thread/resume", CodexFrames.Thread(resume, request.WorkingDirectory, policy, model), timeout.Token);
            var threadId = thread.ValueKind == JsonValueKind.Object && thread.TryGetProperty("thread", out var t) ? CodexApprovals.Text(t, "id") : null;
            if (threadId is null)
            {
                return AgentOutcome.Failed(ErrorCodes.AgentError, $"{DisplayName} started no thread: {thread.GetRawText()}");
            }

            turn.ThreadStarted(threadId);
            var started = await connection.InvokeAsync("turn/start", CodexFrames.TurnStart(threadId, request.Prompt), timeout.Token);
            turn.TurnStarted(started.ValueKind == JsonValueKind.Object && started.TryGetProperty("turn", out var s) ? CodexApprovals.Text(s, "id") : null);
            return null;
        }
        catch (CodexRpcException ex) when (ex.Code != 0)
        {
            return AgentOutcome.Failed(ErrorCodes.AgentError, $"{DisplayName} refused the request {ex.Message}", turn.ThreadId);
        }
        catch (CodexRpcException)
        {
            // It exited: the caller tells why from its exit and stderr.
            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return AgentOutcome.Failed(ErrorCodes.AgentError, $"{DisplayName} did not answer its start within {HandshakeTimeout.TotalSeconds:0} s.", turn.ThreadId);
        }
    }
}

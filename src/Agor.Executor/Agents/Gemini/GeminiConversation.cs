using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Executor.Agents.Gemini;

/// <summary>
/// One prompt over ACP: <c>initialize</c>, then <c>session/new</c> (or <c>session/load</c> of the
/// session to resume), then <c>session/prompt</c>. Updates become events in stdout order,
/// permission requests become the daemon's questions, and a stop is <c>session/cancel</c> (every
/// open question answered <c>cancelled</c>, as ACP requires) before the tree is killed after the grace.
/// </summary>
internal sealed class GeminiConversation : IAsyncDisposable
{
    /// <summary>How long a loaded session's history replay may run on after the load answer; it is not this task's output.</summary>
    private static readonly TimeSpan ReplayLimit = TimeSpan.FromSeconds(2);

    private readonly AgentProcess _agent;
    private readonly AgentRunRequest _request;
    private readonly IAgentHost _host;
    private readonly TimeSpan _interruptGrace;
    private readonly AcpConnection _acp;
    private readonly SemaphoreSlim _reportLock = new(1, 1);
    private readonly StringBuilder _text = new();
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _questions = new();
    private readonly List<Task> _answers = [];
    private readonly CancellationTokenSource _escalation = new();
    private readonly TaskCompletionSource _replayEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reading = Task.CompletedTask;
    private string? _sessionId;
    private long _questionCount;
    private int _interrupted;
    private volatile bool _replaying;

    public GeminiConversation(AgentProcess agent, AgentRunRequest request, IAgentHost host, TimeSpan interruptGrace)
    {
        _agent = agent;
        _request = request;
        _host = host;
        _interruptGrace = interruptGrace;
        _acp = new AcpConnection(agent);
    }

    private bool Interrupted => Volatile.Read(ref _interrupted) == 1;

    public async Task<AgentOutcome> RunAsync(CancellationToken stop)
    {
        using var killWhenEscalated = _escalation.Token.Register(_agent.KillTree);
        using var interruptWhenStopped = stop.Register(Interrupt);
        _reading = Task.Run(() => _acp.ReadAsync(OnMessageAsync, OnMalformedAsync), CancellationToken.None);
        var outcome = await ConverseAsync();
        if (outcome is not null)
        {
            await _host.OutcomeKnownAsync(outcome);
            return outcome;
        }

        // The agent ended (or its stdin did) without an answer: wait for it to be gone to say why.
        await _agent.CloseInputAsync();
        await _agent.EndAsync(_interruptGrace);
        await _reading;
        return AgentLaunch.EndedWithoutResult(_agent, _request, Interrupted, _acp.SawOutput, GeminiRunner.DisplayName);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var question in _questions.Values)
        {
            await question.CancelAsync();
        }

        Task[] answers;
        lock (_answers)
        {
            answers = [.. _answers];
        }

        await Task.WhenAll(answers);
        await _reading;
        _escalation.Dispose();
        _reportLock.Dispose();
    }

    /// <summary>Null when the agent ended before answering.</summary>
    private async Task<AgentOutcome?> ConverseAsync()
    {
        var initialized = await _acp.RequestAsync("initialize", AcpFrames.Initialize);
        if (Ended(initialized))
        {
            return null;
        }

        if (!initialized!.Succeeded)
        {
            return AgentOutcome.Failed(ErrorCodes.AgentError, $"{GeminiRunner.DisplayName} refused to start the protocol: {initialized.Error}");
        }

        string sessionId;
        if (_request.ResumeSessionId is { Length: > 0 } resume)
        {
            _replaying = true;
            var loaded = await _acp.RequestAsync("session/load", AcpFrames.Session(_request.WorkingDirectory, resume));
            if (Ended(loaded))
            {
                return null;
            }

            if (!loaded!.Succeeded)
            {
                return AgentOutcome.Failed(ErrorCodes.AgentError, $"{GeminiRunner.DisplayName} could not resume the session '{resume}': {loaded.Error}", resume);
            }

            // The replay of the earlier turns may trail the answer; the command list follows it.
            await Task.WhenAny(_replayEnded.Task, Task.Delay(ReplayLimit));
            _replaying = false;
            sessionId = resume;
        }
        else
        {
            var created = await _acp.RequestAsync("session/new", AcpFrames.Session(_request.WorkingDirectory, null));
            if (Ended(created))
            {
                return null;
            }

            if (created!.Result is not { ValueKind: JsonValueKind.Object } result
                || !result.TryGetProperty("sessionId", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 } newId)
            {
                return AgentOutcome.Failed(ErrorCodes.AgentError, $"{GeminiRunner.DisplayName} did not create a session: {created.Error ?? "no sessionId in its answer"}");
            }

            sessionId = newId;
        }

        Volatile.Write(ref _sessionId, sessionId);
        if (Interrupted)
        {
            return new AgentOutcome(CompletionStatus.Cancelled) { AgentSessionId = sessionId, Interrupted = true };
        }

        var answered = await _acp.RequestAsync("session/prompt", AcpFrames.Prompt(sessionId, _request.Prompt));
        if (Ended(answered))
        {
            return null;
        }

        await FlushTextAsync();
        if (answered!.Result is { } promptResult)
        {
            await ReportAsync(EventTypes.Usage, promptResult);
        }

        return GeminiPromptResult.ToOutcome(answered, sessionId, Interrupted);
    }

    private static bool Ended(AcpResponse? response) => response is null || ReferenceEquals(response, AcpResponse.Gone);

    /// <summary>Ask nicely first (the CLI ends the turn within milliseconds); kill the tree if it does not.</summary>
    private void Interrupt()
    {
        Interlocked.Exchange(ref _interrupted, 1);
        if (Volatile.Read(ref _sessionId) is { } sessionId)
        {
            _ = _acp.NotifyAsync("session/cancel", AcpFrames.Cancel(sessionId));
            _escalation.CancelAfter(_interruptGrace);
        }
        else
        {
            // No turn yet, nothing to save: the start is simply ended.
            _escalation.Cancel();
        }

        foreach (var question in _questions.Values)
        {
            question.Cancel();
        }
    }

    private async Task OnMessageAsync(JsonElement message)
    {
        var method = message.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        var hasId = message.TryGetProperty("id", out var id);
        var parameters = message.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        switch (method)
        {
            case "session/update" when !hasId && parameters.ValueKind == JsonValueKind.Object:
                await OnUpdateAsync(message, parameters);
                break;
            case "session/request_permission" when hasId && parameters.ValueKind == JsonValueKind.Object:
                await FlushTextAsync();
                var answer = AnswerPermissionAsync(id.Clone(), parameters.Clone());
                lock (_answers)
                {
                    _answers.Add(answer);
                }

                break;
            default:
                if (hasId)
                {
                    // We declared no file-system or terminal capability; anything asked of us is refused.
                    await _acp.RespondErrorAsync(id, -32601, $"Method not found: {method}");
                }

                break;
        }
    }

    private async Task OnUpdateAsync(JsonElement message, JsonElement parameters)
    {
        var kind = GeminiEvents.Kind(parameters);
        if (kind == "available_commands_update")
        {
            _replayEnded.TrySetResult();
        }

        if (_replaying && kind is "agent_message_chunk" or "user_message_chunk" or "agent_thought_chunk" or "tool_call" or "tool_call_update")
        {
            // History of the earlier tasks, replayed by session/load: they were reported then.
            return;
        }

        if (kind == "agent_message_chunk")
        {
            var text = GeminiEvents.ChunkText(parameters);
            if (GeminiEvents.IsModeUpdate(text))
            {
                return;
            }

            await _reportLock.WaitAsync();
            try
            {
                _text.Append(text);
                await _host.ReportEventAsync(EventTypes.ContentBlockDelta, message);
            }
            finally
            {
                _reportLock.Release();
            }

            return;
        }

        if (kind == "tool_call")
        {
            await FlushTextAsync();
        }

        await ReportAsync(GeminiEvents.Classify(kind, parameters), message);
    }

    private Task OnMalformedAsync(string problem) =>
        _host.ReportErrorAsync(ErrorCodes.MalformedOutput, $"{GeminiRunner.DisplayName} wrote a line that is not a JSON-RPC message ({problem}); it was skipped.").AsTask();

    private async Task AnswerPermissionAsync(JsonElement id, JsonElement parameters)
    {
        var toolCall = parameters.TryGetProperty("toolCall", out var t) && t.ValueKind == JsonValueKind.Object ? t : JsonDocument.Parse("{}").RootElement;
        var toolCallId = toolCall.TryGetProperty("toolCallId", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        var kind = toolCall.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        var toolName = GeminiPermissions.ToolName(toolCallId, kind);

        bool approved;
        switch (GeminiPermissions.Decide(_request, toolName, kind))
        {
            case GeminiPermissions.Decision.Allow:
                approved = true;
                break;
            case GeminiPermissions.Decision.Deny:
                approved = false;
                break;
            default:
                using (var cancellation = new CancellationTokenSource())
                {
                    var number = Interlocked.Increment(ref _questionCount);
                    _questions[number] = cancellation;
                    if (Interrupted)
                    {
                        await cancellation.CancelAsync();
                    }

                    var answer = await _host.RequestPermissionAsync(toolName, toolCall, toolCallId, cancellation.Token);
                    _questions.TryRemove(number, out _);
                    approved = answer.Approved;
                }

                break;
        }

        // A stopped turn's questions are answered "cancelled", whatever the daemon said.
        var option = Interrupted ? null : GeminiPermissions.Option(parameters, approved);
        await _acp.RespondAsync(id, AcpFrames.Permission(option));
    }

    private async Task ReportAsync(string eventType, JsonElement data)
    {
        await _reportLock.WaitAsync();
        try
        {
            await _host.ReportEventAsync(eventType, data);
        }
        finally
        {
            _reportLock.Release();
        }
    }

    /// <summary>The text streamed since the last tool call, as one complete message (the deltas are not stored).</summary>
    private async Task FlushTextAsync()
    {
        await _reportLock.WaitAsync();
        try
        {
            if (_text.Length > 0)
            {
                var text = _text.ToString();
                _text.Clear();
                await _host.ReportEventAsync(EventTypes.AssistantMessage, AcpFrames.AssistantMessage(text));
            }
        }
        finally
        {
            _reportLock.Release();
        }
    }
}

using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Executor.Agents.Codex;

/// <summary>
/// The one turn of a run: its thread and turn ids, its interruption (asked for at any time, sent
/// once the turn exists), and its outcome from <c>turn/completed</c>.
/// </summary>
internal sealed class CodexTurn(CodexConnection connection)
{
    private readonly Lock _lock = new();
    private string? _turnId;
    private bool _interruptRequested;
    private bool _interruptSent;

    public string? ThreadId { get; private set; }

    public bool InterruptRequested
    {
        get
        {
            lock (_lock)
            {
                return _interruptRequested;
            }
        }
    }

    public void ThreadStarted(string threadId) => ThreadId = threadId;

    public void TurnStarted(string? turnId)
    {
        lock (_lock)
        {
            _turnId = turnId;
        }

        SendInterruptIfDue();
    }

    /// <summary>Asks for the turn to end; sent now, or as soon as the turn has an id.</summary>
    public void Interrupt()
    {
        lock (_lock)
        {
            _interruptRequested = true;
        }

        SendInterruptIfDue();
    }

    /// <summary>True for the <c>turn/completed</c> of this run's turn (any, before its id is known).</summary>
    public bool IsOurs(JsonElement parameters)
    {
        lock (_lock)
        {
            return _turnId is null
                || (parameters.TryGetProperty("turn", out var turn) && CodexApprovals.Text(turn, "id") is { } id && id == _turnId);
        }
    }

    public AgentOutcome Outcome(JsonElement parameters, TokenUsage? usage)
    {
        var turn = parameters.TryGetProperty("turn", out var t) && t.ValueKind == JsonValueKind.Object ? t : CodexFrames.EmptyObject;
        var status = CodexApprovals.Text(turn, "status");
        switch (status)
        {
            case "completed":
                return new AgentOutcome(CompletionStatus.Completed) { Usage = usage, AgentSessionId = ThreadId };
            case "interrupted":
                // Ours, or the server's own (never asked for here: Agor never answers "cancel").
                return new AgentOutcome(CompletionStatus.Cancelled) { Usage = usage, AgentSessionId = ThreadId, Interrupted = InterruptRequested };
            default:
                var error = turn.TryGetProperty("error", out var e) ? e : default;
                var message = CodexApprovals.Text(error, "message") is { Length: > 0 } text ? text : $"Codex ended the turn as '{status ?? "unknown"}'.";
                return AgentOutcome.Failed(ErrorCodes.ApiError, message, ThreadId) with { Usage = usage };
        }
    }

    private void SendInterruptIfDue()
    {
        string? turnId;
        lock (_lock)
        {
            if (!_interruptRequested || _interruptSent || _turnId is null || ThreadId is null)
            {
                return;
            }

            _interruptSent = true;
            turnId = _turnId;
        }

        _ = InterruptAsync(ThreadId, turnId);
    }

    private async Task InterruptAsync(string threadId, string turnId)
    {
        try
        {
            await connection.InvokeAsync("turn/interrupt", CodexFrames.TurnInterrupt(threadId, turnId));
        }
        catch (CodexRpcException)
        {
            // The turn had already ended, or the server is gone: the kill after the grace settles it.
        }
    }
}

namespace Agor.Testing.ScriptedModel;

/// <summary>
/// The queue of scripted turns. Every streaming <c>POST /v1/messages</c> takes the first queued turn
/// whose condition accepts the request (a turn enqueued without a condition accepts any); when none
/// does, the server answers with a short default text turn, so a stray call never hangs.
/// </summary>
/// <remarks>All members are safe to call from any thread, also while the server is answering requests.</remarks>
public sealed class ModelScript
{
    private readonly Lock _lock = new();
    private readonly List<(ScriptedTurn Turn, Func<RecordedRequest, bool>? When)> _entries = [];

    internal ModelScript()
    {
    }

    /// <summary>How many turns are queued and not yet taken.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Queues a turn for the next conversation request.</summary>
    public ModelScript Enqueue(ScriptedTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        return Add(turn, null);
    }

    /// <summary>
    /// Queues a turn taken only by a conversation request that <paramref name="when"/> accepts. The
    /// condition runs on a server thread while the script is locked: keep it quick and do not call back into the script.
    /// </summary>
    public ModelScript Enqueue(ScriptedTurn turn, Func<RecordedRequest, bool> when)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(when);
        return Add(turn, when);
    }

    /// <summary>Queues <see cref="ScriptedTurn.Text"/>.</summary>
    public ModelScript EnqueueText(params string[] chunks) => Enqueue(ScriptedTurn.Text(chunks));

    /// <summary>Queues <see cref="ScriptedTurn.PacedText"/>.</summary>
    public ModelScript EnqueuePacedText(TimeSpan delayBetweenChunks, params string[] chunks) =>
        Enqueue(ScriptedTurn.PacedText(delayBetweenChunks, chunks));

    /// <summary>Queues <see cref="ScriptedTurn.SlowText"/>: <paramref name="count"/> chunks <c>"tickN "</c>, paced.</summary>
    public ModelScript EnqueueSlowText(int count, TimeSpan delayBetweenChunks) =>
        Enqueue(ScriptedTurn.SlowText(count, delayBetweenChunks));

    /// <summary>Queues <see cref="ScriptedTurn.ToolUse"/>.</summary>
    public ModelScript EnqueueToolUse(string toolName, object input, string? leadingText = null, string? toolUseId = null) =>
        Enqueue(ScriptedTurn.ToolUse(toolName, input, leadingText, toolUseId));

    /// <summary>
    /// Queues <see cref="ScriptedTurn.Error"/> <paramref name="times"/> times in a row; more than once
    /// when the client retries (see <c>CLAUDE_CODE_MAX_RETRIES</c>) and every attempt should fail.
    /// </summary>
    public ModelScript EnqueueError(int statusCode, string? message = null, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        var turn = ScriptedTurn.Error(statusCode, message);
        lock (_lock)
        {
            for (var i = 0; i < times; i++)
            {
                _entries.Add((turn, null));
            }
        }

        return this;
    }

    /// <summary>Drops every queued turn.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
        }
    }

    /// <summary>Removes and returns the first queued turn that accepts <paramref name="request"/>, or null.</summary>
    internal ScriptedTurn? TryTake(RecordedRequest request)
    {
        lock (_lock)
        {
            for (var i = 0; i < _entries.Count; i++)
            {
                var (turn, when) = _entries[i];
                if (when is null || when(request))
                {
                    _entries.RemoveAt(i);
                    return turn;
                }
            }

            return null;
        }
    }

    private ModelScript Add(ScriptedTurn turn, Func<RecordedRequest, bool>? when)
    {
        lock (_lock)
        {
            _entries.Add((turn, when));
        }

        return this;
    }
}

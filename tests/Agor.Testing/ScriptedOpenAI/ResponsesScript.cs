namespace Agor.Testing.ScriptedOpenAI;

/// <summary>
/// The queue of scripted responses: each <c>POST /v1/responses</c> takes the first one; when the
/// queue is empty it gets a short default text, so a stray request never hangs.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class ResponsesScript
{
    private readonly Lock _lock = new();
    private readonly Queue<ResponsesTurn> _turns = new();

    internal ResponsesScript()
    {
    }

    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _turns.Count;
            }
        }
    }

    public ResponsesScript Enqueue(ResponsesTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        lock (_lock)
        {
            _turns.Enqueue(turn);
        }

        return this;
    }

    public ResponsesScript EnqueueText(params string[] chunks) => Enqueue(ResponsesTurn.Text(chunks));

    public ResponsesScript EnqueueSlowText(int count, TimeSpan delay) => Enqueue(ResponsesTurn.SlowText(count, delay));

    public ResponsesScript EnqueueShellCommand(string command, string? callId = null) => Enqueue(ResponsesTurn.ShellCommand(command, callId));

    public ResponsesScript EnqueueAddFile(string relativePath, string content, string? callId = null) => Enqueue(ResponsesTurn.AddFile(relativePath, content, callId));

    internal ResponsesTurn? TryTake()
    {
        lock (_lock)
        {
            return _turns.TryDequeue(out var turn) ? turn : null;
        }
    }
}

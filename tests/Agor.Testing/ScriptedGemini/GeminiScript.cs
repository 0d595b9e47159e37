namespace Agor.Testing.ScriptedGemini;

/// <summary>
/// The queue of scripted turns: each <c>streamGenerateContent</c> call takes the first one. When the
/// queue is empty the call gets a short default text, so a stray call never hangs. Thread-safe.
/// </summary>
public sealed class GeminiScript
{
    private readonly Lock _lock = new();
    private readonly Queue<GeminiTurn> _turns = new();

    internal GeminiScript()
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

    public GeminiScript Enqueue(GeminiTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        lock (_lock)
        {
            _turns.Enqueue(turn);
        }

        return this;
    }

    public GeminiScript EnqueueText(params string[] chunks) => Enqueue(GeminiTurn.Text(chunks));

    public GeminiScript EnqueueSlowText(int count, TimeSpan delayBetweenChunks) => Enqueue(GeminiTurn.SlowText(count, delayBetweenChunks));

    public GeminiScript EnqueueShellCommand(string command) => Enqueue(GeminiTurn.ShellCommand(command));

    public GeminiScript EnqueueWriteFile(string filePath, string content) => Enqueue(GeminiTurn.WriteFile(filePath, content));

    internal GeminiTurn? TryTake()
    {
        lock (_lock)
        {
            return _turns.TryDequeue(out var turn) ? turn : null;
        }
    }
}

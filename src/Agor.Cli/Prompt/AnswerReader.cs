namespace Agor.Cli.Prompt;

/// <summary>
/// Reads answers a line at a time from stdin, a terminal or a pipe. A read cannot be abandoned,
/// so one that a cancellation interrupted is kept for the next question — unless a person typed
/// it at the terminal while no question was asked (the one it answered was decided elsewhere).
/// </summary>
internal sealed class AnswerReader
{
    private Task<string?>? _pending;

    /// <summary>The next line, or null when stdin is closed.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        if (_pending is { IsCompleted: true } && !Console.IsInputRedirected)
        {
            _pending = null;
        }

        _pending ??= Task.Run(() => Console.In.ReadLine(), CancellationToken.None);
        var line = await _pending.WaitAsync(cancellationToken);
        _pending = null;
        return line;
    }
}

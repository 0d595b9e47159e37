namespace Agor.Cli.Prompt;

/// <summary>
/// A one-line spinner on stderr while nothing else is shown; only when stderr is a terminal.
/// Every write to the terminal goes through <see cref="Write"/> so the spinner is cleared first.
/// </summary>
internal sealed class Spinner : IAsyncDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool _enabled;
    private string? _label;
    private bool _shown;
    private int _frame;

    public Spinner(bool enabled)
    {
        _enabled = enabled;
        _loop = enabled ? Task.Run(LoopAsync) : Task.CompletedTask;
    }

    /// <summary>Shows the spinner with a label, or hides it (null).</summary>
    public void Show(string? label)
    {
        lock (_gate)
        {
            _label = label;
            if (label is null)
            {
                Clear();
            }
        }
    }

    /// <summary>Writes to stdout or stderr with the spinner out of the way.</summary>
    public void Write(TextWriter writer, string text)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_gate)
        {
            Clear();
            writer.Write(text);
            writer.Flush();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_gate)
        {
            Clear();
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                lock (_gate)
                {
                    if (_label is not null)
                    {
                        _frame = (_frame + 1) % Frames.Length;
                        Console.Error.Write($"\r\u001b[2K{Frames[_frame]} {_label}");
                        Console.Error.Flush();
                        _shown = true;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private void Clear()
    {
        if (_enabled && _shown)
        {
            Console.Error.Write("\r\u001b[2K");
            Console.Error.Flush();
            _shown = false;
        }
    }
}

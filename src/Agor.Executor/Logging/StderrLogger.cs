using Microsoft.Extensions.Logging;

namespace Agor.Executor.Logging;

/// <summary>
/// Writes one line per event to stderr, which the daemon collects into its own log tagged with
/// the executor id. A few lines of our own rather than Microsoft.Extensions.Logging.Console, which
/// would pull options, configuration and a background thread into a process meant to stay small.
/// </summary>
internal sealed class StderrLogger(string category, LogLevel minimumLevel) : ILogger
{
    private static readonly Lock WriteLock = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimumLevel && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = $"{Level(logLevel)} {category}[{eventId.Id}] {formatter(state, exception)}";
        if (exception is not null)
        {
            line += $" ({exception.GetType().Name}: {exception.Message})";
        }

        lock (WriteLock)
        {
            Console.Error.WriteLine(line);
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Agor.Protocol.Tests;

/// <summary>Keeps every log line, so a spec can count what an operator would have to read.</summary>
internal sealed class CountingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public int Count(LogLevel atLeast) => _entries.Count(e => e.Level >= atLeast);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, formatter(state, exception)));
}

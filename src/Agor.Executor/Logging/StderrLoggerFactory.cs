using Microsoft.Extensions.Logging;

namespace Agor.Executor.Logging;

/// <summary>Hands out <see cref="StderrLogger"/>s.</summary>
internal sealed class StderrLoggerFactory(LogLevel minimumLevel) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public ILogger CreateLogger(string categoryName) => new StderrLogger(categoryName, minimumLevel);

    public void Dispose()
    {
    }
}

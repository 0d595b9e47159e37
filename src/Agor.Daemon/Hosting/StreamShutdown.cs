namespace Agor.Daemon.Hosting;

/// <summary>
/// Ends the live event streams once the daemon has stopped its tasks, so clients see the tasks'
/// final status before their stream closes (the host's own stopping signal fires before that).
/// </summary>
internal sealed class StreamShutdown : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    public CancellationToken Token => _source.Token;

    public Task EndStreamsAsync() => _source.CancelAsync();

    public void Dispose() => _source.Dispose();
}

using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Executors;

/// <summary>A real pool over the real executor, with its sockets in a directory of its own so that leftovers show.</summary>
internal sealed class PoolHarness : IAsyncDisposable
{
    private PoolHarness(ExecutorPool pool, string socketDirectory, CapturingLogger logger, List<ExecutorEvent> events)
    {
        Pool = pool;
        SocketDirectory = socketDirectory;
        Logger = logger;
        Events = events;
    }

    public ExecutorPool Pool { get; }

    public string SocketDirectory { get; }

    public CapturingLogger Logger { get; }

    public List<ExecutorEvent> Events { get; }

    public static async Task<PoolHarness> StartAsync(Func<ExecutionSettings, ExecutionSettings>? configure = null, string? executorPath = null)
    {
        var directory = Path.Combine("/tmp", $"agor-pool-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(directory);

        // Sticky and world-writable like /tmp, so that executors running as another user can listen here.
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("1777", 8));
        var settings = new ExecutionSettings
        {
            SocketPathTemplate = Path.Combine(directory, "{id}.sock"),
            ConnectionTimeoutMs = 10_000,
            ShutdownGraceMs = 1_000,
        };
        settings = configure?.Invoke(settings) ?? settings;
        var logger = new CapturingLogger();
        var events = new List<ExecutorEvent>();
        var pool = await ExecutorPool.CreateAsync(new ExecutorPoolOptions { Settings = settings, ExecutorPath = executorPath ?? TestBinaries.ExecutorPath }, logger);
        pool.Changed += e =>
        {
            lock (events)
            {
                events.Add(e);
            }
        };
        return new PoolHarness(pool, directory, logger, events);
    }

    /// <summary>Waits for an event of <paramref name="kind"/> (already raised or still to come).</summary>
    public async Task<ExecutorEvent> WaitForEventAsync(string kind, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (true)
        {
            lock (Events)
            {
                if (Events.FirstOrDefault(e => e.Kind == kind) is { } found)
                {
                    return found;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no '{kind}' event within {timeout}");
            }

            await timer.WaitForNextTickAsync();
        }
    }

    public string[] LeftoverSockets() => Directory.GetFiles(SocketDirectory);

    public async ValueTask DisposeAsync()
    {
        await Pool.DisposeAsync();
        Directory.Delete(SocketDirectory, recursive: true);
    }
}

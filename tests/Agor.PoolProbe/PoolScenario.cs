using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Agor.Daemon.Interop;
using Microsoft.Extensions.Logging;

namespace Agor.PoolProbe;

/// <summary>Runs the real pool as whatever user this process is, and prints what it saw as key=value lines.</summary>
internal static class PoolScenario
{
    public static async Task<int> RunAsync(string executorPath, string user, bool killSudo)
    {
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter(_ => true));
        var logger = loggers.CreateLogger("probe");
        var settings = new ExecutionSettings { RunAsUnixUser = true, ExecutorUnixUser = user, ConnectionTimeoutMs = 10_000, ShutdownGraceMs = 1_000 };
        await using var pool = await ExecutorPool.CreateAsync(new ExecutorPoolOptions { Settings = settings, ExecutorPath = executorPath }, logger);
        Console.WriteLine($"mode={pool.Mode}");
        Console.WriteLine($"daemon_uid={Native.geteuid()}");

        var lease = await pool.AcquireAsync();
        var ping = await lease.Client.PingAsync();
        Console.WriteLine($"executor_pid={ping.Pid}");
        Console.WriteLine($"executor_uid={ping.Uid}");
        Console.WriteLine($"executor_user={ping.User}");

        if (killSudo)
        {
            // What happens to the executor when only sudo can be killed (it runs as another user)?
            var sudoPid = lease.Executor.Process.Pid;
            Console.WriteLine($"sudo_pid={sudoPid}");
            Native.Kill(sudoPid, Native.SigKill);
        }

        await lease.DisposeAsync();
        var gone = await WaitGoneAsync(ping.Pid, TimeSpan.FromSeconds(5));
        Console.WriteLine($"executor_gone={gone}");
        return 0;
    }

    private static async Task<bool> WaitGoneAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await timer.WaitForNextTickAsync();
        }

        return true;
    }
}

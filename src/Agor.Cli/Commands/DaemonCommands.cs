using System.CommandLine;
using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;
using Microsoft.Extensions.Logging;

namespace Agor.Cli.Commands;

/// <summary><c>agor daemon start|stop|status</c>.</summary>
internal static class DaemonCommands
{
    public static Command Create()
    {
        var foreground = new Option<bool>("--foreground") { Description = "Run in this terminal, logging to stderr, until SIGTERM or Ctrl-C." };
        var start = new Command("start", "Start the daemon.") { foreground };
        start.SetAction((parse, cancellationToken) => RunForegroundAsync(cancellationToken));

        return new Command("daemon", "Run and control the Agor daemon.") { start };
    }

    private static async Task<int> RunForegroundAsync(CancellationToken cancellationToken)
    {
        var home = CliEnvironment.Home;
        AgorConfig config;
        try
        {
            foreach (var path in home.EnsureInitialized())
            {
                await Console.Error.WriteLineAsync($"created {path}");
            }

            config = ConfigLoader.Load(home.Path, CliEnvironment.Variables);
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync($"agor: {ex.Message}");
            return ExitCodes.Config;
        }

        DaemonHost host;
        try
        {
            host = await DaemonHost.StartAsync(config, home.ReadToken(), ConfigureLogging, cancellationToken);
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync($"agor: {ex.Message}");
            return ExitCodes.Config;
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"agor: cannot start the daemon: {ex.Message}");
            return ExitCodes.Unavailable;
        }

        await using (host)
        {
            // The one line on stdout: scripts and the background starter read the address from it.
            Console.WriteLine($"agor daemon listening on {host.Address}");
            try
            {
                await Task.Delay(Timeout.Infinite, host.StopRequested);
            }
            catch (OperationCanceledException)
            {
            }

            await host.StopAsync();
        }

        return ExitCodes.Ok;
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}

using System.CommandLine;
using Agor.Cli.Output;
using Agor.Cli.Runtime;
using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;
using Microsoft.Extensions.Logging;

namespace Agor.Cli.Commands;

/// <summary><c>agor daemon start|stop|status</c>.</summary>
internal static class DaemonCommands
{
    public static Command Create()
    {
        var foreground = new Option<bool>("--foreground") { Description = "Run in this terminal, logging to stderr, until SIGTERM or Ctrl-C (SIGHUP re-reads config.yaml)." };
        var start = new Command("start", "Start the daemon in the background (log in AGOR_HOME/daemon.log), or in this terminal.") { foreground };
        CliAction.Set(start, (parse, cancellationToken) => parse.GetValue(foreground) ? RunForegroundAsync(cancellationToken) : StartInBackgroundAsync(cancellationToken));

        return new Command("daemon", "Run and control the Agor daemon.") { start, DaemonStopCommand.Create(), DaemonStatusCommand.Create() };
    }

    private static async Task<int> StartInBackgroundAsync(CancellationToken cancellationToken)
    {
        var home = CliEnvironment.Home;
        var files = new DaemonRuntimeFiles(home.Path);
        if (files.ReadRunning() is { } running)
        {
            throw new CliException($"a daemon is already running (pid {running.Pid}, {running.Address ?? "address unknown"}); stop it with `agor daemon stop`");
        }

        foreach (var path in home.EnsureInitialized())
        {
            Console.Out.WriteLine($"created {path}");
        }

        try
        {
            // A bad configuration is reported here rather than only in the log.
            PortPreflight.ThrowIfTaken(ConfigLoader.Load(home.Path, CliEnvironment.Variables).Daemon);
        }
        catch (ConfigException ex)
        {
            throw new CliException(ex.Message, ExitCodes.Config);
        }
        catch (PortInUseException ex)
        {
            throw new CliException(ex.Message, ExitCodes.Unavailable);
        }

        var started = await BackgroundStarter.StartAsync(home.Path, files, cancellationToken);
        using var client = CliEnvironment.CreateClient();
        var health = await client.GetAsync("/health", cancellationToken);
        Console.Out.WriteLine($"agor daemon {health.Json.Text("version")} started (pid {started.Pid}), listening on {started.Address}");
        Console.Out.WriteLine($"log: {files.LogPath}");
        return ExitCodes.Ok;
    }

    private static async Task<int> RunForegroundAsync(CancellationToken cancellationToken)
    {
        var home = CliEnvironment.Home;
        var files = new DaemonRuntimeFiles(home.Path);
        AgorConfig config;
        try
        {
            foreach (var path in home.EnsureInitialized())
            {
                await Console.Error.WriteLineAsync($"created {path}");
            }

            if (files.ReadRunning() is { } running && running.Pid != Environment.ProcessId)
            {
                await Console.Error.WriteLineAsync($"agor: a daemon is already running for {home.Path} (pid {running.Pid}, {running.Address ?? "address unknown"}); stop it with `agor daemon stop`");
                return ExitCodes.Failed;
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
        catch (PortInUseException ex)
        {
            await Console.Error.WriteLineAsync($"agor: {ex.Message}");
            return ExitCodes.Unavailable;
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"agor: cannot start the daemon: {ex.Message}");
            return ExitCodes.Unavailable;
        }

        await using (host)
        {
            // The pid and address files come first, so that whoever reads the line below finds them.
            files.Write(Environment.ProcessId, host.Address);
            using var reload = ConfigReloadSignal.Register(host.Config, CliEnvironment.Variables);
            try
            {
                // The one line on stdout: scripts and the background starter read the address from it.
                Console.WriteLine($"{BackgroundStarter.ListeningPrefix}{host.Address}");
                try
                {
                    await Task.Delay(Timeout.Infinite, host.StopRequested);
                }
                catch (OperationCanceledException)
                {
                }

                await host.StopAsync();
            }
            finally
            {
                files.RemoveIfOwnedBy(Environment.ProcessId);
            }
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

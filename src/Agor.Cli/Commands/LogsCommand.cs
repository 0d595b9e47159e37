using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text;
using Agor.Cli.Runtime;

namespace Agor.Cli.Commands;

/// <summary>
/// <c>agor logs [-n N] [-f]</c>: the log of a daemon started in the background
/// (<c>AGOR_HOME/daemon.log</c>), its last lines, and with <c>-f</c> what it writes next until Ctrl-C.
/// </summary>
internal static class LogsCommand
{
    // Appends are announced by inotify; the bound only covers file systems that do not announce them.
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing what the daemon writes, until Ctrl-C." };
        var lines = new Option<int?>("--lines", "-n") { Description = "Only the last N lines (default: the whole log; with -f, the last 20)." };
        var command = new Command("logs", "Print the log of the daemon started in the background (AGOR_HOME/daemon.log).") { follow, lines };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            var path = new DaemonRuntimeFiles(CliEnvironment.Home.Path).LogPath;
            if (!File.Exists(path))
            {
                throw new CliException(
                    $"there is no daemon log at {path}: it is written by a daemon started in the background (`agor daemon start`); one started with --foreground logs to its terminal, one run as a service to the journal (`journalctl --user -u agor` or `journalctl -u agor`)",
                    ExitCodes.Failed);
            }

            var following = parse.GetValue(follow);
            var count = parse.GetValue(lines) ?? (following ? 20 : (int?)null);
            if (count is < 0)
            {
                throw new CliException("--lines must be 0 or more", ExitCodes.Usage);
            }

            using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            void Interrupt(PosixSignalContext context)
            {
                context.Cancel = true;
                interrupted.Cancel();
            }

            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
            var offset = await WriteTailAsync(path, count, interrupted.Token);
            if (following)
            {
                try
                {
                    await FollowAsync(path, offset, interrupted.Token);
                }
                catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
                {
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Writes the log (its last <paramref name="count"/> lines); returns the offset read up to.</summary>
    private static async Task<long> WriteTailAsync(string path, int? count, CancellationToken cancellationToken)
    {
        await using var file = Open(path);
        using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var text = await reader.ReadToEndAsync(cancellationToken);
        var end = file.Position;
        if (count is { } wanted && text.Length > 0)
        {
            var all = (text.EndsWith('\n') ? text[..^1] : text).Split('\n');
            text = wanted == 0 ? string.Empty : string.Join('\n', all.TakeLast(wanted)) + "\n";
        }

        await Console.Out.WriteAsync(text);
        await Console.Out.FlushAsync(cancellationToken);
        return end;
    }

    /// <summary>Prints what is appended from <paramref name="offset"/> on; starts over when the log is replaced or truncated.</summary>
    private static async Task FollowAsync(string path, long offset, CancellationToken cancellationToken)
    {
        using var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.Size | NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.CreationTime,
        };
        void Signal(object sender, FileSystemEventArgs e) => changed.Release();
        watcher.Changed += Signal;
        watcher.Created += Signal;
        watcher.Renamed += (sender, e) => changed.Release();
        watcher.EnableRaisingEvents = true;
        var buffer = new byte[64 * 1024];
        var stdout = Console.OpenStandardOutput();
        while (true)
        {
            if (File.Exists(path))
            {
                await using var file = Open(path);
                if (file.Length < offset)
                {
                    offset = 0;
                }

                file.Position = offset;
                int read;
                while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await stdout.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    offset += read;
                }

                await stdout.FlushAsync(cancellationToken);
            }

            await changed.WaitAsync(Recheck, cancellationToken);
        }
    }

    private static FileStream Open(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
}

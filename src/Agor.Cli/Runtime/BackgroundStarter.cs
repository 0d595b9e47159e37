using System.Diagnostics;
using Agor.Cli.Commands;

namespace Agor.Cli.Runtime;

/// <summary>
/// Starts <c>agor daemon start --foreground</c> as a detached child and returns once it listens:
/// the child's one stdout line says so (no polling). On failure, what the child logged is shown.
/// </summary>
internal static class BackgroundStarter
{
    public const string ListeningPrefix = "agor daemon listening on ";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Starts the daemon; returns its pid and address.</summary>
    public static async Task<RunningDaemon> StartAsync(string home, DaemonRuntimeFiles files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var logOffset = File.Exists(files.LogPath) ? new FileInfo(files.LogPath).Length : 0;
        var startInfo = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };

        // Run as `dotnet agor.dll` too: then the host needs the assembly first.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            startInfo.ArgumentList.Add(typeof(BackgroundStarter).Assembly.Location);
        }

        foreach (var argument in new[] { "daemon", "start", "--foreground" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment[DaemonDetach.LogVariable] = files.LogPath;
        startInfo.Environment["AGOR_HOME"] = home;

        using var process = Process.Start(startInfo) ?? throw new CliException("could not start the daemon process", ExitCodes.Software);
        process.StandardInput.Close();
        string? line;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(StartTimeout);
            try
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new CliException($"the daemon did not report listening within {StartTimeout.TotalSeconds:0} s and was stopped; see {files.LogPath}", ExitCodes.Unavailable);
            }
        }

        if (line is not null && line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
        {
            return new RunningDaemon(process.Id, line[ListeningPrefix.Length..].Trim());
        }

        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var code = process.HasExited ? process.ExitCode : -1;
        throw new CliException($"the daemon did not start (exit code {code}){LogTail(files.LogPath, logOffset)}", code > 0 ? code : ExitCodes.Unavailable);
    }

    private static string LogTail(string logPath, long offset)
    {
        if (!File.Exists(logPath))
        {
            return string.Empty;
        }

        using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? $"; see {logPath}" : $": {string.Join(" | ", lines.TakeLast(5))} (log: {logPath})";
    }
}

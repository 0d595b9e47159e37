using System.Diagnostics;

namespace Agor.Bench.Processes;

/// <summary>
/// A long-lived helper (the C socket helper, the bench's own notify child) started the way the
/// pool starts an executor: stdio redirected, a cleared environment, and readiness known from one
/// line on stdout, never by sleeping. Disposing waits briefly for it to exit on its own (the
/// helpers exit when their peer closes), then kills and reaps it and removes its socket file.
/// </summary>
internal sealed class HelperProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly string? _socketPath;
    private readonly Task<string> _stderr;
    private int _disposed;

    private HelperProcess(Process process, string? socketPath)
    {
        _process = process;
        _socketPath = socketPath;
        Pid = process.Id;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>The pid of the process started (sudo, where the helper runs through it).</summary>
    public int Pid { get; }

    /// <summary>Starts <paramref name="fileName"/>; the clock of a spawn measurement starts before this call.</summary>
    public static HelperProcess Start(string fileName, IEnumerable<string> arguments, string? socketPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        process.StandardInput.Close();
        return new HelperProcess(process, socketPath);
    }

    /// <summary>Waits for <paramref name="readyLine"/> on stdout; throws with the helper's stderr when it exits first.</summary>
    public async Task WaitForLineAsync(string readyLine, CancellationToken cancellationToken = default)
    {
        while (await _process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line == readyLine)
            {
                return;
            }
        }

        await _process.WaitForExitAsync(cancellationToken);
        throw new InvalidOperationException($"{_process.StartInfo.FileName} exited with code {_process.ExitCode} before printing '{readyLine}': {(await _stderr).Trim()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var grace = new CancellationTokenSource(ExitGrace);
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException) when (grace.IsCancellationRequested)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        await _stderr;
        _process.Dispose();
        if (_socketPath is not null)
        {
            File.Delete(_socketPath);
        }
    }
}

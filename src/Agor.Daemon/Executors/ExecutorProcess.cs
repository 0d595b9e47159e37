using System.Diagnostics;
using Agor.Daemon.Interop;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Executors;

/// <summary>
/// One executor's operating-system process (or the sudo in front of it): started with the launch
/// spec, its stdout and stderr copied into the daemon's log under the executor id, its exit
/// observed, and stopped in escalating steps with a bound on each.
/// </summary>
internal sealed class ExecutorProcess : IAsyncDisposable
{
    private const string ReadyLine = "agor-executor ready";

    private readonly Process _process;
    private readonly ExecutorLaunchSpec _spec;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _stderrTail = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly Task _exited;

    private ExecutorProcess(Process process, ExecutorLaunchSpec spec, ILogger logger)
    {
        _process = process;
        _spec = spec;
        _logger = logger;
        Pid = process.Id;

        // Pinned before anything can reap it: from here on only this very process is "ours".
        Launched = LaunchedProcess.Pin(process.Id);
        _stdoutPump = PumpStdoutAsync();
        _stderrPump = PumpStderrAsync();
        _exited = WaitForExitAsync();
    }

    /// <summary>The pid of the process we started: the executor, or sudo in front of it.</summary>
    public int Pid { get; }

    /// <summary>The process we started, pinned by a pidfd.</summary>
    public LaunchedProcess Launched { get; }

    /// <summary>
    /// The executor as verified on connect (SO_PEERCRED, never the wire); null before. The only
    /// process besides <see cref="Launched"/> the daemon ever signals.
    /// </summary>
    public VerifiedExecutor? Executor { get; set; }

    /// <summary>Completes when the process has exited and been reaped.</summary>
    public Task Exited => _exited;

    public bool HasExited => _exited.IsCompleted;

    /// <summary>The exit code, or null while running.</summary>
    public int? ExitCode => _exited.IsCompleted ? _process.ExitCode : null;

    /// <summary>The last lines the executor wrote to stderr, for error messages.</summary>
    public string StderrTail
    {
        get
        {
            lock (_stderrTail)
            {
                return string.Join(" | ", _stderrTail);
            }
        }
    }

    public static ExecutorProcess Start(ExecutorLaunchSpec spec, ILogger logger)
    {
        var startInfo = new ProcessStartInfo(spec.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var argument in spec.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in spec.Environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {spec.FileName}.");

        // The executor reads nothing from stdin; give it end-of-file at once.
        process.StandardInput.Close();
        return new ExecutorProcess(process, spec, logger);
    }

    /// <summary>Waits for the executor's ready line; throws when it exits first or the token fires.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(_ready.Task, _exited).WaitAsync(cancellationToken);
        if (first != _ready.Task)
        {
            await _stderrPump;
            throw new ExecutorStartException(_spec.ExecutorId, $"the executor exited with code {_process.ExitCode} before it was ready: {StderrTail}");
        }
    }

    /// <summary>Sends SIGTERM: to the executor, or to sudo, which relays it.</summary>
    public void Terminate() => Launched.Signal(Native.SigTerm);

    /// <summary>
    /// Sends SIGKILL to everything we may: the verified executor's process group, and the process
    /// we started. Through sudo without root, only sudo can be killed; the executor then dies of its
    /// parent-death signal, and the agent's guard ends the agent's tree when the executor is gone.
    /// </summary>
    public void Kill()
    {
        KillGroup();
        Launched.Signal(Native.SigKill);
    }

    /// <summary>
    /// Ends whatever is left in the executor's process group, while the group is certainly the
    /// executor's: the verified executor alive, or (directly started, not yet verified) the process
    /// we started alive. Never a group named by the executor, never a pid that may have been recycled.
    /// </summary>
    public void KillGroup()
    {
        if (Executor is { } executor)
        {
            executor.SignalGroup(Native.SigKill);
        }
        else if (!_spec.ThroughSudo && Launched.IsAlive())
        {
            Native.KillGroup(Pid, Native.SigKill);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _exited;
        KillGroup();
        await Task.WhenAll(_stdoutPump, _stderrPump);
        Executor?.Dispose();
        Launched.Dispose();
        _process.Dispose();
    }

    private async Task WaitForExitAsync()
    {
        await _process.WaitForExitAsync();
        ExecutorProcessLog.Exited(_logger, _spec.ExecutorId, Pid, _process.ExitCode);
    }

    private async Task PumpStdoutAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (!_ready.Task.IsCompleted && line.TrimEnd('\r') == ReadyLine)
                {
                    _ready.TrySetResult();
                    continue;
                }

                ExecutorProcessLog.Stdout(_logger, _spec.ExecutorId, line);
            }
        }
        catch (IOException)
        {
            // The pipe broke with the process; nothing more to copy.
        }
    }

    private async Task PumpStderrAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_stderrTail)
                {
                    _stderrTail.Enqueue(line);
                    if (_stderrTail.Count > 8)
                    {
                        _stderrTail.Dequeue();
                    }
                }

                ExecutorProcessLog.Stderr(_logger, _spec.ExecutorId, line);
            }
        }
        catch (IOException)
        {
        }
    }
}

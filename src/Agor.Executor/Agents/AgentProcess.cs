using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Agor.Executor.Agents;

/// <summary>
/// An agent's child process: stdin written one line at a time under a lock, stdout read line by
/// line, the tail of stderr kept for error messages, and the whole process tree ended on demand.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private const int StderrTailLines = 12;
    private static readonly TimeSpan StderrDrainLimit = TimeSpan.FromSeconds(1);

    private readonly Process _process;
    private readonly SemaphoreSlim _stdinLock = new(1, 1);
    private readonly Queue<string> _stderrTail = new();
    private readonly Task _stderrPump;
    private bool _stdinClosed;

    private AgentProcess(Process process)
    {
        _process = process;
        _stderrPump = PumpStderrAsync();
        Exited = _process.WaitForExitAsync();
    }

    public int Pid => _process.Id;

    public Task Exited { get; }

    public int ExitCode => _process.ExitCode;

    public string StderrTail
    {
        get
        {
            lock (_stderrTail)
            {
                return string.Join("\n", _stderrTail);
            }
        }
    }

    /// <summary>Starts the agent; throws <see cref="Win32Exception"/> when the program cannot be run.</summary>
    public static AgentProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        return new AgentProcess(Process.Start(startInfo) ?? throw new Win32Exception($"could not start {fileName}"));
    }

    /// <summary>The next line of stdout, or null at its end.</summary>
    public Task<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        _process.StandardOutput.ReadLineAsync(cancellationToken).AsTask();

    /// <summary>Writes one line to stdin; false when stdin is closed or the agent is gone.</summary>
    public async Task<bool> WriteLineAsync(string line)
    {
        await _stdinLock.WaitAsync();
        try
        {
            if (_stdinClosed)
            {
                return false;
            }

            await _process.StandardInput.WriteAsync(line + "\n");
            await _process.StandardInput.FlushAsync();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            _stdinLock.Release();
        }
    }

    /// <summary>Closes stdin: the agent finishes its turn and exits.</summary>
    public async Task CloseInputAsync()
    {
        await _stdinLock.WaitAsync();
        try
        {
            if (!_stdinClosed)
            {
                _stdinClosed = true;
                _process.StandardInput.Close();
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            _stdinLock.Release();
        }
    }

    /// <summary>Kills the agent and everything it started.</summary>
    public void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Waits for the agent to exit within <paramref name="grace"/>, then kills its tree; always reaps.</summary>
    public async Task EndAsync(TimeSpan grace)
    {
        if (await Task.WhenAny(Exited, Task.Delay(grace)) != Exited)
        {
            KillTree();
        }

        await Exited;

        // Its last words: stderr reaches its end when the agent exits, unless something it started
        // still holds it, so the wait is bounded.
        try
        {
            await _stderrPump.WaitAsync(StderrDrainLimit);
        }
        catch (TimeoutException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Once the agent has exited its tree cannot be walked any more (its children were re-parented),
        // and the walk costs milliseconds on the completion path. What it left behind is in the
        // executor's process group, which the daemon ends with the executor.
        if (!_process.HasExited)
        {
            KillTree();
        }

        await Exited;
        await _stderrPump;
        _process.Dispose();
        _stdinLock.Dispose();
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
                    if (_stderrTail.Count > StderrTailLines)
                    {
                        _stderrTail.Dequeue();
                    }
                }
            }
        }
        catch (IOException)
        {
        }
    }
}

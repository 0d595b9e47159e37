using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Agor.Testing.Support;

/// <summary>
/// An <c>agor-executor</c> process started by hand, without the pool, for tests that talk to its
/// socket byte by byte. Disposing kills it if it is still running.
/// </summary>
public sealed class RawExecutor : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;

    private RawExecutor(Process process, string socketPath)
    {
        _process = process;
        SocketPath = socketPath;
        _stderrPump = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }
            }
        });
    }

    public string SocketPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the executor logged so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the executor and waits for its ready line.</summary>
    /// <param name="environment">The executor's whole environment; null inherits the test's.</param>
    public static async Task<RawExecutor> StartAsync(
        IEnumerable<string>? extraArguments = null,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var socketPath = $"/tmp/agor-test-{Guid.NewGuid():N}.sock";
        var startInfo = new ProcessStartInfo(TestBinaries.ExecutorPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("--socket");
        startInfo.ArgumentList.Add(socketPath);
        foreach (var argument in extraArguments ?? [])
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            startInfo.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                startInfo.Environment[name] = value;
            }
        }

        var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var executor = new RawExecutor(process, socketPath);
        var ready = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
        if (ready != "agor-executor ready")
        {
            await executor.DisposeAsync();
            throw new InvalidOperationException($"the executor did not get ready: '{ready}' {executor.Stderr}");
        }

        return executor;
    }

    /// <summary>Connects a raw line client to the executor's socket.</summary>
    public async Task<LineClient> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken);
        return new LineClient(socket);
    }

    /// <summary>Waits for the process to exit on its own and for everything it logged to be read.</summary>
    public Task WaitForExitAsync(TimeSpan timeout) => Task.WhenAll(_process.WaitForExitAsync(), _stderrPump).WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // The executor leads its own process group; its agents are in it.
            Signals.Send(-_process.Id, Signals.SigKill);
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        await _stderrPump;
        _process.Dispose();
        if (File.Exists(SocketPath))
        {
            File.Delete(SocketPath);
        }
    }
}

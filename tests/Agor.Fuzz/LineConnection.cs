using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace Agor.Fuzz;

/// <summary>
/// A raw newline-delimited connection for the fuzzer: it writes whatever bytes it is given, reads
/// every line the target answers (a fuzzer that stopped reading would only measure its own
/// back-pressure), completes probes by their id, and hands requests from the target to a callback.
/// </summary>
internal sealed class LineConnection : IAsyncDisposable
{
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly Func<string, string?> _answerRequest;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _readLoop;
    private TaskCompletionSource? _probe;
    private string? _probeId;
    private long _probes;

    /// <param name="answerRequest">Given a line from the target that has a "method", returns the line to answer with, or null.</param>
    public LineConnection(Socket socket, Func<string, string?> answerRequest)
    {
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        _answerRequest = answerRequest;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Lines the target wrote.</summary>
    public long LinesRead { get; private set; }

    /// <summary>Completes when the target closed its side.</summary>
    public Task Closed => _readLoop;

    public async Task SendAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(line, cancellationToken);
            await _stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends a probe request (built from its id) and waits for its answer; false when none comes within <paramref name="timeout"/> or the connection closed.</summary>
    public async Task<bool> ProbeAsync(Func<string, string> request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = $"probe-{Interlocked.Increment(ref _probes)}";
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _probeId, $"\"id\":\"{id}\"");
        Volatile.Write(ref _probe, answered);
        await SendAsync(Encoding.UTF8.GetBytes(request(id)), cancellationToken);
        var first = await Task.WhenAny(answered.Task, _readLoop, Task.Delay(timeout, cancellationToken));
        return first == answered.Task;
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var read = await _reader.ReadAsync();
                var buffer = read.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    Handle(buffer.Slice(0, end));
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Handle(ReadOnlySequence<byte> line)
    {
        LinesRead++;
        if (line.Length > 64 * 1024)
        {
            return;
        }

        var text = Encoding.UTF8.GetString(line);
        if (Volatile.Read(ref _probeId) is { } probeId && text.Contains(probeId, StringComparison.Ordinal))
        {
            Volatile.Read(ref _probe)?.TrySetResult();
            return;
        }

        if (text.Contains("\"method\"", StringComparison.Ordinal) && _answerRequest(text) is { } answer)
        {
            _ = SendAsync(Encoding.UTF8.GetBytes(answer), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stream.Socket.Shutdown(SocketShutdown.Both);
        await _stream.DisposeAsync();
        await _readLoop;
        await _reader.CompleteAsync();
        _writeLock.Dispose();
    }
}

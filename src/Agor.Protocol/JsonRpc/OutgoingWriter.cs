using System.IO.Pipelines;
using System.Threading.Channels;

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// The output of one connection: a queue of encoded frames bounded in bytes, the gate that makes
/// one writer at a time own the <see cref="PipeWriter"/>, the write loop, and the in-place write.
/// </summary>
/// <remarks>
/// Lines never interleave because whoever holds the gate owns the output: the write loop for a
/// burst, flushing once per 64 KiB and at its end, or — when nothing is queued or being written —
/// the sender itself, in place, which saves the thread hop on the latency path (a lone request,
/// the one answer to what one read brought). The queue is counted in the bytes of the pooled
/// arrays it holds; above <see cref="JsonRpcPeerOptions.MaxOutgoingQueueBytes"/>,
/// <see cref="HasRoom"/> is false and <see cref="WaitForRoomAsync"/> waits until the write loop has
/// drained it below the bound, which is how a peer that does not read slows its own requests.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to free, and disposing it would make a late in-place sender throw.")]
internal sealed class OutgoingWriter
{
    private const int FlushThresholdBytes = 64 * 1024;
    private const int CoalesceBelowBytes = 4096;

    private readonly PipeWriter _output;
    private readonly Channel<OutgoingFrame> _queue = Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly long _maxQueuedBytes;
    private readonly CancellationToken _closing;
    private readonly Action<string, Exception?> _fail;
    private long _queuedBytes;
    private TaskCompletionSource? _room;
    private readonly TaskCompletionSource _firstFull = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _outputCompleted;

    /// <param name="output">The connection's output; completed when the write loop ends.</param>
    /// <param name="maxQueuedBytes">The queue's bound in bytes.</param>
    /// <param name="fail">Closes the connection with a reason (the peer stopped reading, a write failed).</param>
    /// <param name="closing">Cancelled when the connection closes.</param>
    public OutgoingWriter(PipeWriter output, long maxQueuedBytes, Action<string, Exception?> fail, CancellationToken closing)
    {
        _output = output;
        _maxQueuedBytes = maxQueuedBytes;
        _closing = closing;
        _fail = fail;
    }

    /// <summary>True while the queue, plus <paramref name="extraBytes"/> about to join it, is within its bound.</summary>
    public bool HasRoom(long extraBytes = 0) => Volatile.Read(ref _queuedBytes) + extraBytes <= _maxQueuedBytes;

    /// <summary>Completes the first time someone has to wait for room: the signal that the peer stopped reading (for specs).</summary>
    public Task FirstFull => _firstFull.Task;

    /// <summary>Bytes the queue holds now (for tests and figures).</summary>
    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>Queues a frame for the write loop; false (and the frame returned to the pool) once the output is closing.</summary>
    public bool TryQueue(OutgoingFrame frame)
    {
        Interlocked.Add(ref _queuedBytes, frame.Array.Length);
        if (_queue.Writer.TryWrite(frame))
        {
            return true;
        }

        Interlocked.Add(ref _queuedBytes, -frame.Array.Length);
        frame.Return();
        return false;
    }

    /// <summary>Completes when the queue is within its bound again, or the connection closes.</summary>
    public Task WaitForRoomAsync()
    {
        while (!HasRoom() && !_closing.IsCancellationRequested)
        {
            var room = Volatile.Read(ref _room);
            if (room is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = Interlocked.CompareExchange(ref _room, created, null) ?? created;
            }

            // The write loop may have drained the queue between the check and the publication.
            if (HasRoom() || _closing.IsCancellationRequested)
            {
                SignalRoom();
                return Task.CompletedTask;
            }

            _firstFull.TrySetResult();
            return room.Task;
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops taking frames; the write loop sends what is queued, then completes the output.</summary>
    public void CompleteAdding() => _queue.Writer.TryComplete();

    /// <summary>Releases everyone waiting for room (the connection is closing).</summary>
    public void SignalRoom() => Interlocked.Exchange(ref _room, null)?.TrySetResult();

    /// <summary>
    /// Writes <paramref name="frame"/> at once on this thread when nothing is queued or being
    /// written (the order of messages is kept either way), otherwise queues it for the write loop.
    /// </summary>
    public async ValueTask WriteNowOrQueueAsync(OutgoingFrame frame)
    {
        if (!_queue.Reader.TryPeek(out _) && _gate.Wait(0))
        {
            var written = false;
            try
            {
                if (!_queue.Reader.TryPeek(out _) && !_outputCompleted && !_closing.IsCancellationRequested)
                {
                    written = true;
                    AppendLine(frame);
                    if ((await _output.FlushAsync(_closing)).IsCompleted)
                    {
                        _fail("the peer stopped reading", null);
                    }
                }
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                _fail($"writing failed: {ex.Message}", ex);
            }
            finally
            {
                _gate.Release();
            }

            if (written)
            {
                return;
            }
        }

        TryQueue(frame);
    }

    /// <summary>The write loop: never faults, turns every failure into a close reason, completes the output at the end.</summary>
    public async Task RunAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closing))
            {
                // A burst still arriving (a sender in a loop on another thread) gets one turn of
                // the thread pool before the write, so one write carries many lines: one write
                // per line is what cost a notification's sender 9 µs.
                if (Volatile.Read(ref _queuedBytes) < CoalesceBelowBytes)
                {
                    await Task.Yield();
                }

                await _gate.WaitAsync(_closing);
                try
                {
                    if (!await WriteQueuedAsync(reader))
                    {
                        return;
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _fail($"writing failed: {ex.Message}", ex);
        }
        finally
        {
            await _gate.WaitAsync(CancellationToken.None);
            try
            {
                _queue.Writer.TryComplete();
                while (reader.TryRead(out var frame))
                {
                    Dequeued(frame);
                    frame.Return();
                }

                _outputCompleted = true;
                await CompleteOutputAsync();
            }
            finally
            {
                _gate.Release();
                SignalRoom();
            }
        }
    }

    /// <summary>Writes what is queued, flushing once per 64 KiB and at the end; false when the peer stopped reading.</summary>
    private async ValueTask<bool> WriteQueuedAsync(ChannelReader<OutgoingFrame> reader)
    {
        var unflushed = 0;
        while (reader.TryRead(out var frame))
        {
            Dequeued(frame);
            unflushed += AppendLine(frame);
            if (unflushed >= FlushThresholdBytes)
            {
                unflushed = 0;
                if ((await _output.FlushAsync(_closing)).IsCompleted)
                {
                    _fail("the peer stopped reading", null);
                    return false;
                }
            }
        }

        if ((await _output.FlushAsync(_closing)).IsCompleted)
        {
            _fail("the peer stopped reading", null);
            return false;
        }

        return true;
    }

    private void Dequeued(OutgoingFrame frame)
    {
        // Waiters are woken at half the bound, not at the bound: woken at the bound, a sender in a
        // loop would fill the queue again with its next frame and wait again, a thread hop and a
        // task per frame for as long as the peer reads slower than we send.
        if (Interlocked.Add(ref _queuedBytes, -frame.Array.Length) <= _maxQueuedBytes / 2 && Volatile.Read(ref _room) is not null)
        {
            SignalRoom();
        }
    }

    /// <summary>Appends a frame and its newline to the output (the caller holds the gate) and returns the frame to the pool; returns the bytes appended.</summary>
    private int AppendLine(OutgoingFrame frame)
    {
        var length = frame.Length + 1;
        var span = _output.GetSpan(length);
        frame.Span.CopyTo(span);
        span[frame.Length] = (byte)'\n';
        _output.Advance(length);
        frame.Return();
        return length;
    }

    private async ValueTask CompleteOutputAsync()
    {
        try
        {
            // Completing flushes what a cancelled write left buffered; the peer may be gone by now.
            await _output.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            _fail($"writing failed: {ex.Message}", ex);
        }
    }
}

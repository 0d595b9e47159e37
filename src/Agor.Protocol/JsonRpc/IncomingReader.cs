using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// The read loop of a connection: frames lines, enforces the line limit, stops reading while the
/// outgoing queue is full (the back-pressure a peer that never reads feels), hands each line to the
/// dispatcher and sends the answers given synchronously as one burst per read.
/// </summary>
internal sealed class IncomingReader(
    PipeReader input,
    JsonRpcPeerOptions options,
    ResponseSender sender,
    OutgoingWriter writer,
    IncomingDispatcher dispatcher,
    ILogger logger,
    Action<string> violation,
    Action<string, Exception?> close,
    Func<Task> halfClosed)
{
    private readonly PipeReader _input = input;
    private readonly JsonRpcPeerOptions _options = options;
    private readonly ResponseSender _sender = sender;
    private readonly OutgoingWriter _writer = writer;
    private readonly IncomingDispatcher _dispatcher = dispatcher;
    private readonly ILogger _logger = logger;
    private readonly Action<string> _violation = violation;
    private readonly Action<string, Exception?> _close = close;
    private readonly Func<Task> _halfClosed = halfClosed;

    /// <summary>The read loop: never faults, turns every failure into a close reason, completes the input at the end.</summary>
    public async Task RunAsync(CancellationToken closing)
    {
        var framer = default(LineFramer);
        try
        {
            while (true)
            {
                var read = await _input.ReadAsync(closing);
                var buffer = read.Buffer;
                while (framer.TryReadLine(ref buffer, out var line))
                {
                    if (line.Length > _options.MaxLineBytes)
                    {
                        _violation($"a line of {line.Length} bytes exceeds the maximum of {_options.MaxLineBytes} bytes");
                        return;
                    }

                    if (!_sender.HasRoom)
                    {
                        // The peer does not read our answers: stop reading its requests until it does.
                        await _sender.SendAnsweredAsync();
                        await _writer.WaitForRoomAsync();
                        if (closing.IsCancellationRequested)
                        {
                            return;
                        }
                    }

                    // Answers given synchronously while this line is handled are collected, and
                    // sent together once the lines of this read are done.
                    ValueTask pending;
                    _sender.BeginReading();
                    try
                    {
                        pending = _dispatcher.ProcessLine(line);
                    }
                    finally
                    {
                        ResponseSender.EndReading();
                    }

                    if (!pending.IsCompletedSuccessfully)
                    {
                        await _sender.SendAnsweredAsync();
                        await pending;
                    }

                    if (closing.IsCancellationRequested)
                    {
                        return;
                    }
                }

                await _sender.SendAnsweredAsync();

                if (buffer.Length > _options.MaxLineBytes)
                {
                    _violation($"a line of more than {_options.MaxLineBytes} bytes exceeds the maximum");
                    return;
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        JsonRpcPeerLog.ClosedMidLine(_logger, _options.Name, buffer.Length);
                    }

                    await _halfClosed();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _close($"reading failed: {ex.Message}", ex);
        }
        finally
        {
            _sender.DiscardAnswered();
            await _input.CompleteAsync();
        }
    }
}

using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// One end of a newline-delimited JSON-RPC 2.0 connection. Both ends send requests, responses and
/// notifications concurrently; responses may come in any order.
/// </summary>
/// <remarks>
/// <para>
/// We wrote our own peer rather than use StreamJsonRpc: measured here, StreamJsonRpc took about
/// 100 µs per request against about 36 µs for a plain System.IO.Pipelines loop, and it does not run
/// under NativeAOT, which the executor needs.
/// </para>
/// <para>
/// Layers: <see cref="LineFramer"/> splits lines, <see cref="JsonRpcMessageParser"/> and
/// <see cref="JsonRpcMessageWriter"/> turn bytes into messages and back without I/O, and this class
/// dispatches. One writer at a time owns the output, so lines never interleave: a write loop that
/// flushes once per burst of queued messages, or — when nothing is queued or being written — the
/// sender itself, in place. Writing in place saves the thread hop to the loop on the latency path
/// (a lone request, the one answer to what one read brought); bursts and notifications go through
/// the loop, where they batch and where writing overlaps reading.
/// </para>
/// <para>
/// Register handlers before <see cref="Start"/>. Request handlers may run concurrently with each
/// other and must not block; notification handlers run one at a time, in arrival order, and the
/// reader waits for each, so they should be quick. <see cref="InvokeAsync{TParams, TResult}"/> and
/// <see cref="NotifyAsync{TParams}"/> are safe to call from any thread.
/// </para>
/// </remarks>
public sealed class JsonRpcPeer : IAsyncDisposable
{
    private const int FlushThresholdBytes = 64 * 1024;

    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly JsonRpcPeerOptions _options;
    private readonly Dictionary<string, RequestHandler> _requestHandlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NotificationHandler> _notificationHandlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private readonly Channel<OutgoingFrame> _outgoing = Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stream? _stream;

    // Whoever holds the gate owns _output: the write loop for a burst, or a sender writing in place.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    // Answers produced by the read loop while it handles what one read brought; see ReadLoopAsync.
    private readonly List<OutgoingFrame> _answered = [];
    private int _answeredEnds;
    private int _callsInFlight;
    private bool _outputCompleted;

    [ThreadStatic]
    private static JsonRpcPeer? t_reading;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private Task _stopped = Task.CompletedTask;
    private TaskCompletionSource? _drained;
    private long _nextId;
    private int _inflight;
    private string? _closeReason;
    private int _started;

    /// <summary>Creates a peer over a duplex stream (a socket's NetworkStream, a pipe...). The peer owns the stream.</summary>
    public JsonRpcPeer(Stream stream, JsonRpcPeerOptions? options = null, ILogger? logger = null)
        : this(
            PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)),
            options,
            logger)
    {
        // Both loops use the stream; it is closed once, after both have ended.
        _stream = stream;
    }

    /// <summary>Creates a peer over a pipe pair. The peer completes both when it closes.</summary>
    public JsonRpcPeer(PipeReader input, PipeWriter output, JsonRpcPeerOptions? options = null, ILogger? logger = null)
    {
        _input = input;
        _output = output;
        _options = options ?? new JsonRpcPeerOptions();
        Logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The connection's name in logs.</summary>
    public string Name => _options.Name;

    /// <summary>Completes (never faults) when the connection has ended, for whatever reason.</summary>
    public Task Completion => _completion.Task;

    /// <summary>The first reason the connection ended, or null while it is up.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Cancelled when the connection starts closing; handed to every handler.</summary>
    public CancellationToken Closing => _closing.Token;

    internal ILogger Logger { get; }

    /// <summary>Handles incoming requests of <paramref name="method"/>. Call before <see cref="Start"/>.</summary>
    public void AddRequestHandler<TParams, TResult>(JsonRpcMethod<TParams, TResult> method, Func<TParams, CancellationToken, ValueTask<TResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(method);
        EnsureNotStarted();
        _requestHandlers.Add(method.Name, new RequestHandler<TParams, TResult>(method, handler));
    }

    /// <summary>Handles incoming notifications of <paramref name="notification"/>. Call before <see cref="Start"/>.</summary>
    public void AddNotificationHandler<TParams>(JsonRpcNotification<TParams> notification, Func<TParams, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(notification);
        EnsureNotStarted();
        _notificationHandlers.Add(notification.Name, new NotificationHandler<TParams>(notification, handler));
    }

    /// <summary>Starts reading and writing. Call once.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The peer is already started.");
        }

        _writeLoop = Task.Run(WriteLoopAsync);
        _readLoop = Task.Run(ReadLoopAsync);
        _stopped = CloseStreamWhenStoppedAsync();
    }

    /// <summary>
    /// Sends a request and waits for its response. Throws <see cref="JsonRpcException"/> when the
    /// peer answers with an error, <see cref="JsonRpcTimeoutException"/> when no answer comes within
    /// <paramref name="timeout"/> (default: the peer's default), <see cref="JsonRpcConnectionLostException"/>
    /// when the connection ends first, and <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    public async Task<TResult> InvokeAsync<TParams, TResult>(
        JsonRpcMethod<TParams, TResult> method,
        TParams parameters,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ThrowIfClosed();
        var id = Interlocked.Increment(ref _nextId);
        var pending = new PendingRequest<TResult>(method.Name, method.ResultType);
        _pending[id] = pending;
        var alone = Interlocked.Increment(ref _callsInFlight) == 1;
        try
        {
            var frame = OutgoingFrame.Encode(
                (id, method, parameters),
                static (writer, state) => JsonRpcMessageWriter.WriteRequest(writer, state.id, state.method.Name, state.parameters, state.method.ParamsType));
            // A lone call is written in place (latency); calls made together go through the write
            // loop, which sends them in one write (throughput).
            if (alone)
            {
                await WriteNowOrQueueAsync(frame);
            }
            else
            {
                TryQueue(frame);
            }

            // Close may have swept the pending map before we were added to it.
            if (CloseReason is { } reason)
            {
                pending.SetException(new JsonRpcConnectionLostException(reason));
            }

            var limit = timeout ?? _options.DefaultRequestTimeout;
            if (limit == Timeout.InfiniteTimeSpan && !cancellationToken.CanBeCanceled)
            {
                return await pending.Task;
            }

            try
            {
                return await pending.Task.WaitAsync(limit, cancellationToken);
            }
            catch (TimeoutException) when (!pending.Task.IsCompleted)
            {
                throw new JsonRpcTimeoutException(method.Name, limit);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _callsInFlight);
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a notification. It is queued, not awaited on the wire; throws if the connection is closed.</summary>
    public ValueTask NotifyAsync<TParams>(JsonRpcNotification<TParams> notification, TParams parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        var frame = OutgoingFrame.Encode(
            (notification, parameters),
            static (writer, state) => JsonRpcMessageWriter.WriteNotification(writer, state.notification.Name, state.parameters, state.notification.ParamsType));
        if (!TryQueue(frame))
        {
            ThrowIfClosed();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Closes gracefully: waits until every incoming request being handled has been answered (a
    /// <c>shutdown</c> handler may call this for its own request), sends what is queued, then closes.
    /// </summary>
    public async ValueTask CloseAsync(string reason, CancellationToken cancellationToken = default)
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _drained, drained);
        if (Volatile.Read(ref _inflight) == 0)
        {
            drained.TrySetResult();
        }

        await Task.WhenAny(drained.Task, Completion).WaitAsync(cancellationToken);
        _outgoing.Writer.TryComplete();
        await _writeLoop.WaitAsync(cancellationToken);
        Close(reason);
        await Completion;
    }

    /// <summary>Closes the connection at once; pending requests fail with <see cref="JsonRpcConnectionLostException"/>. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        Close("disposed");
        await _stopped;
        _closing.Dispose();
    }

    private async Task CloseStreamWhenStoppedAsync()
    {
        // The loops never fault (they turn every failure into a close reason), so this only waits.
        await Task.WhenAll(_readLoop, _writeLoop);
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }
    }

    /// <summary>An incoming request is being handled; its answer is not queued yet.</summary>
    internal void BeginRequest() => Interlocked.Increment(ref _inflight);

    /// <summary>The answer to an incoming request is queued.</summary>
    internal void EndRequest()
    {
        if (t_reading == this)
        {
            // The answer waits in _answered; it counts as queued once it is written or queued.
            _answeredEnds++;
            return;
        }

        if (Interlocked.Decrement(ref _inflight) == 0)
        {
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    internal void Enqueue(OutgoingFrame frame)
    {
        if (t_reading == this)
        {
            _answered.Add(frame);
            return;
        }

        TryQueue(frame);
    }

    /// <summary>Queues a frame for the write loop; false (and the frame returned to the pool) once the connection is closing.</summary>
    private bool TryQueue(OutgoingFrame frame)
    {
        if (_outgoing.Writer.TryWrite(frame))
        {
            return true;
        }

        frame.Return();
        return false;
    }

    internal void SendResult<TResult>(ReadOnlySpan<byte> id, TResult result, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResult> type, BatchResponse? batch)
    {
        if (id.IsEmpty)
        {
            return;
        }

        OutgoingFrame frame;
        try
        {
            frame = EncodeResult(id, result, type);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            JsonRpcPeerLog.HandlerFailed(Logger, ex, Name, type.Type.Name);
            SendError(id, JsonRpcErrorCode.InternalError, "Internal error.", batch);
            return;
        }

        Send(frame, batch);
    }

    internal void SendError(ReadOnlySpan<byte> id, JsonRpcErrorCode code, string message, BatchResponse? batch)
    {
        var idArray = id.ToArray();
        var frame = OutgoingFrame.Encode(
            (idArray, code, message),
            static (writer, state) => JsonRpcMessageWriter.WriteError(writer, state.idArray, state.code, state.message));
        Send(frame, batch);
    }

    internal void SendHandlerFailure(ReadOnlySpan<byte> id, string method, Exception exception, BatchResponse? batch)
    {
        switch (exception)
        {
            case JsonRpcException rpc:
                SendError(id, rpc.Code, rpc.Message, batch);
                break;
            case OperationCanceledException when _closing.IsCancellationRequested:
                break;
            default:
                // The details stay in our log; the peer learns only that it failed.
                JsonRpcPeerLog.HandlerFailed(Logger, exception, Name, method);
                SendError(id, JsonRpcErrorCode.InternalError, $"Internal error while handling '{method}'.", batch);
                break;
        }
    }

    private static OutgoingFrame EncodeResult<TResult>(ReadOnlySpan<byte> id, TResult result, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResult> type)
    {
        // The encoder callback cannot capture a span, so the (few bytes of) id are copied.
        var idCopy = id.ToArray();
        return OutgoingFrame.Encode(
            (idCopy, result, type),
            static (writer, state) => JsonRpcMessageWriter.WriteResult(writer, state.idCopy, state.result, state.type));
    }

    private void Send(OutgoingFrame frame, BatchResponse? batch)
    {
        if (batch is null)
        {
            Enqueue(frame);
        }
        else
        {
            batch.Add(frame);
        }
    }

    private async Task ReadLoopAsync()
    {
        var framer = default(LineFramer);
        try
        {
            while (true)
            {
                var read = await _input.ReadAsync(_closing.Token);
                var buffer = read.Buffer;
                while (framer.TryReadLine(ref buffer, out var line))
                {
                    if (line.Length > _options.MaxLineBytes)
                    {
                        Violation($"a line of {line.Length} bytes exceeds the maximum of {_options.MaxLineBytes} bytes");
                        return;
                    }

                    // Answers given synchronously while this line is handled are collected, and
                    // sent together once the lines of this read are done.
                    ValueTask pending;
                    t_reading = this;
                    try
                    {
                        pending = ProcessLine(line);
                    }
                    finally
                    {
                        t_reading = null;
                    }

                    if (!pending.IsCompletedSuccessfully)
                    {
                        await SendAnsweredAsync();
                        await pending;
                    }
                }

                await SendAnsweredAsync();

                if (buffer.Length > _options.MaxLineBytes)
                {
                    Violation($"a line of more than {_options.MaxLineBytes} bytes exceeds the maximum");
                    return;
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        JsonRpcPeerLog.ClosedMidLine(Logger, Name, buffer.Length);
                    }

                    Close("the peer closed the connection");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Close($"reading failed: {ex.Message}", ex);
        }
        finally
        {
            foreach (var frame in _answered)
            {
                frame.Return();
            }

            _answered.Clear();
            await _input.CompleteAsync();
        }
    }

    private ValueTask ProcessLine(ReadOnlySequence<byte> line)
    {
        if (line.IsSingleSegment)
        {
            return ProcessLine(line.FirstSpan);
        }

        var length = (int)line.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        line.CopyTo(rented);
        var pending = ProcessLine(rented.AsSpan(0, length));
        if (pending.IsCompletedSuccessfully)
        {
            ArrayPool<byte>.Shared.Return(rented);
            return pending;
        }

        return ReturnAfterAsync(pending, rented);

        static async ValueTask ReturnAfterAsync(ValueTask pending, byte[] rented)
        {
            try
            {
                await pending;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private ValueTask ProcessLine(ReadOnlySpan<byte> line)
    {
        line = line.Trim(" \t\r"u8);
        if (line.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        if (line[0] == (byte)'[')
        {
            ProcessBatch(line);
            return ValueTask.CompletedTask;
        }

        return ProcessMessage(line, batch: null);
    }

    private void ProcessBatch(ReadOnlySpan<byte> line)
    {
        // Validate the whole line first: a parse error answers the batch as one error, not an array.
        var elements = new List<Range>();
        try
        {
            var reader = new Utf8JsonReader(line);
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                elements.Add(start..(int)reader.BytesConsumed);
            }

            if (reader.Read())
            {
                throw new JsonException("Unexpected data after the batch.");
            }
        }
        catch (JsonException ex)
        {
            Reject(default, JsonRpcErrorCode.ParseError, $"Parse error: {ex.Message}", batch: null);
            return;
        }

        if (elements.Count == 0)
        {
            Reject(default, JsonRpcErrorCode.InvalidRequest, "Invalid request: an empty batch.", batch: null);
            return;
        }

        var batch = new BatchResponse(this);
        foreach (var element in elements)
        {
            // Notifications inside a batch are dispatched without waiting, as a batch has no order.
            var pending = ProcessMessage(line[element], batch);
            if (!pending.IsCompletedSuccessfully)
            {
                batch.Hold();
                _ = ReleaseAfterAsync(pending, batch);
            }
        }

        batch.Release();

        static async Task ReleaseAfterAsync(ValueTask pending, BatchResponse batch)
        {
            try
            {
                await pending;
            }
            catch (Exception)
            {
                // A failing notification handler has nobody to answer; it was logged by its handler.
            }
            finally
            {
                batch.Release();
            }
        }
    }

    private ValueTask ProcessMessage(ReadOnlySpan<byte> json, BatchResponse? batch)
    {
        ParsedMessage message;
        try
        {
            message = JsonRpcMessageParser.Parse(json);
        }
        catch (JsonException ex)
        {
            Reject(default, JsonRpcErrorCode.ParseError, $"Parse error: {ex.Message}", batch);
            return ValueTask.CompletedTask;
        }

        switch (message.Kind)
        {
            case MessageKind.Request:
                DispatchRequest(message, batch);
                return ValueTask.CompletedTask;
            case MessageKind.Notification:
                return DispatchNotification(message);
            case MessageKind.Result:
            case MessageKind.Error:
                CompletePending(message);
                return ValueTask.CompletedTask;
            default:
                Reject(message.Id, JsonRpcErrorCode.InvalidRequest, $"Invalid request: {message.InvalidReason}.", batch);
                return ValueTask.CompletedTask;
        }
    }

    private void DispatchRequest(ParsedMessage message, BatchResponse? batch)
    {
        if (!TryFind(_requestHandlers, message.Method, out var handler))
        {
            var method = Encoding.UTF8.GetString(message.Method);
            Reject(message.Id, JsonRpcErrorCode.MethodNotFound, $"Method not found: '{method}'.", batch);
            return;
        }

        if (batch is null)
        {
            BeginRequest();
        }

        handler.Invoke(this, message.Id, message.Params, batch);
    }

    private ValueTask DispatchNotification(ParsedMessage message)
    {
        if (!TryFind(_notificationHandlers, message.Method, out var handler))
        {
            if (Logger.IsEnabled(LogLevel.Debug))
            {
                JsonRpcPeerLog.UnknownNotification(Logger, Name, Encoding.UTF8.GetString(message.Method));
            }

            return ValueTask.CompletedTask;
        }

        try
        {
            return handler.InvokeAsync(this, message.Params);
        }
        catch (Exception ex)
        {
            JsonRpcPeerLog.HandlerFailed(Logger, ex, Name, handler.Method);
            return ValueTask.CompletedTask;
        }
    }

    private void CompletePending(ParsedMessage message)
    {
        if (!Utf8Parser.TryParse(message.Id, out long id, out var consumed) || consumed != message.Id.Length
            || !_pending.TryRemove(id, out var pending))
        {
            if (Logger.IsEnabled(LogLevel.Debug))
            {
                JsonRpcPeerLog.UnknownResponse(Logger, Name, Encoding.UTF8.GetString(message.Id));
            }

            return;
        }

        if (message.Kind == MessageKind.Result)
        {
            pending.SetResult(message.Result);
        }
        else
        {
            pending.SetException(new JsonRpcException(message.ErrorCode, message.ErrorMessage ?? "The peer sent an error without a message."));
        }
    }

    private void Reject(ReadOnlySpan<byte> id, JsonRpcErrorCode code, string message, BatchResponse? batch)
    {
        JsonRpcPeerLog.RejectedMessage(Logger, Name, message);
        SendError(id, code, message, batch);
    }

    private static bool TryFind<THandler>(Dictionary<string, THandler> handlers, ReadOnlySpan<byte> method, out THandler handler)
    {
        // Method names are short ASCII; decoding onto the stack avoids a string per message.
        Span<char> name = stackalloc char[128];
        if (method.Length > name.Length || !Ascii.IsValid(method))
        {
            return handlers.TryGetValue(Encoding.UTF8.GetString(method), out handler!);
        }

        var length = Encoding.ASCII.GetChars(method, name);
        return handlers.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name[..length], out handler!);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token))
            {
                await _writeGate.WaitAsync(_closing.Token);
                try
                {
                    if (!await WriteQueuedAsync(reader))
                    {
                        return;
                    }
                }
                finally
                {
                    _writeGate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Close($"writing failed: {ex.Message}", ex);
        }
        finally
        {
            await _writeGate.WaitAsync(CancellationToken.None);
            try
            {
                while (reader.TryRead(out var frame))
                {
                    frame.Return();
                }

                _outputCompleted = true;
                await CompleteOutputAsync();
            }
            finally
            {
                _writeGate.Release();
            }
        }
    }

    /// <summary>Writes what is queued, flushing once per 64 KiB and at the end; false when the peer stopped reading.</summary>
    private async ValueTask<bool> WriteQueuedAsync(ChannelReader<OutgoingFrame> reader)
    {
        var unflushed = 0;
        while (reader.TryRead(out var frame))
        {
            unflushed += AppendLine(frame);
            if (unflushed >= FlushThresholdBytes)
            {
                unflushed = 0;
                if ((await _output.FlushAsync(_closing.Token)).IsCompleted)
                {
                    Close("the peer stopped reading");
                    return false;
                }
            }
        }

        if ((await _output.FlushAsync(_closing.Token)).IsCompleted)
        {
            Close("the peer stopped reading");
            return false;
        }

        return true;
    }

    /// <summary>Sends the answers the read loop collected: in place when the output is free, else queued.</summary>
    private async ValueTask SendAnsweredAsync()
    {
        if (_answered.Count == 1)
        {
            // One answer: the latency case, written in place.
            await WriteNowOrQueueAsync(_answered[0]);
        }
        else
        {
            // A burst: the write loop sends it while this loop goes on reading (two CPUs at work).
            foreach (var frame in _answered)
            {
                TryQueue(frame);
            }
        }

        _answered.Clear();

        for (; _answeredEnds > 0; _answeredEnds--)
        {
            EndRequest();
        }
    }

    /// <summary>
    /// Writes <paramref name="frame"/> at once on this thread when nothing is queued or being
    /// written (the order of messages is kept either way), otherwise queues it for the write loop.
    /// </summary>
    private async ValueTask WriteNowOrQueueAsync(OutgoingFrame frame)
    {
        if (!_outgoing.Reader.TryPeek(out _) && _writeGate.Wait(0))
        {
            var written = false;
            try
            {
                if (!_outgoing.Reader.TryPeek(out _) && !_outputCompleted && !_closing.IsCancellationRequested)
                {
                    written = true;
                    AppendLine(frame);
                    if ((await _output.FlushAsync(_closing.Token)).IsCompleted)
                    {
                        Close("the peer stopped reading");
                    }
                }
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                Close($"writing failed: {ex.Message}", ex);
            }
            finally
            {
                _writeGate.Release();
            }

            if (written)
            {
                return;
            }
        }

        TryQueue(frame);
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
            Close($"writing failed: {ex.Message}", ex);
        }
    }

    private void Violation(string reason)
    {
        JsonRpcPeerLog.ClosingOnProtocolViolation(Logger, Name, reason);
        Close(reason);
    }

    private void Close(string reason, Exception? cause = null)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }

        JsonRpcPeerLog.Closed(Logger, Name, reason);
        _outgoing.Writer.TryComplete();
        _closing.Cancel();

        // Completion first, so that a caller who sees its request fail also sees the connection closed.
        _completion.TrySetResult();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.SetException(new JsonRpcConnectionLostException(reason, cause));
            }
        }
    }

    private void ThrowIfClosed()
    {
        if (CloseReason is { } reason)
        {
            throw new JsonRpcConnectionLostException(reason);
        }
    }

    private void EnsureNotStarted()
    {
        if (Volatile.Read(ref _started) != 0)
        {
            throw new InvalidOperationException("Handlers must be added before Start.");
        }
    }
}

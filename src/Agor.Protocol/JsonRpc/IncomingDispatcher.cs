using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// Turns each incoming line into handler calls and answers: single messages, batches, responses to
/// our own requests, and the limits that keep a hostile peer from growing our memory or our log.
/// Runs on the read loop; no I/O of its own.
/// </summary>
internal sealed class IncomingDispatcher
{
    private const int MaxNameInMessage = 64;

    private readonly Dictionary<string, RequestHandler> _requestHandlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NotificationHandler> _notificationHandlers = new(StringComparer.Ordinal);
    private readonly JsonRpcPeerOptions _options;
    private readonly ResponseSender _sender;
    private readonly PendingRequests _pending;
    private readonly ViolationLog _violations;
    private readonly ILogger _logger;
    private readonly Action<string> _violated;

    /// <param name="violated">Closes the connection when the peer keeps violating the protocol.</param>
    public IncomingDispatcher(JsonRpcPeerOptions options, ResponseSender sender, PendingRequests pending, ViolationLog violations, ILogger logger, Action<string> violated)
    {
        _options = options;
        _sender = sender;
        _pending = pending;
        _violations = violations;
        _logger = logger;
        _violated = violated;
    }

    public void Add(RequestHandler handler) => _requestHandlers.Add(handler.Method, handler);

    public void Add(NotificationHandler handler) => _notificationHandlers.Add(handler.Method, handler);

    /// <summary>Handles one line; the task is a notification handler still running (the reader waits for it, which keeps notifications in order).</summary>
    public ValueTask ProcessLine(ReadOnlySequence<byte> line)
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
        // Validate the whole line first: a parse error answers the batch as one error, not an
        // array; so does a batch over the size limit, before any of it is decoded or answered.
        var elements = new List<Range>();
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = JsonRpcMessageParser.MaxDepth });
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (elements.Count == _options.MaxBatchSize)
                {
                    Reject(default, JsonRpcErrorCode.InvalidRequest, $"Invalid request: a batch of more than {_options.MaxBatchSize} messages.", batch: null);
                    return;
                }

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

        if (_sender.InFlight + elements.Count > _options.MaxRequestsInFlight)
        {
            Reject(default, JsonRpcErrorCode.Busy, $"Busy: more than {_options.MaxRequestsInFlight} requests in flight.", batch: null);
            return;
        }

        var batch = new BatchResponse(_sender, elements.Count);
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
                // Never faults: notification faults are observed (and logged) by ObserveAsync.
                await pending;
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
                Reject(message.Id, message.InvalidCode, $"Invalid request: {message.InvalidReason}.", batch);
                return ValueTask.CompletedTask;
        }
    }

    private void DispatchRequest(ParsedMessage message, BatchResponse? batch)
    {
        if (!TryFind(_requestHandlers, message.Method, out var handler))
        {
            Reject(message.Id, JsonRpcErrorCode.MethodNotFound, $"Method not found: '{Printable(message.Method)}'.", batch);
            return;
        }

        if (batch is null)
        {
            if (_sender.InFlight >= _options.MaxRequestsInFlight)
            {
                Reject(message.Id, JsonRpcErrorCode.Busy, $"Busy: more than {_options.MaxRequestsInFlight} requests in flight.", batch);
                return;
            }

            _sender.BeginRequests();
        }

        _violations.Accepted();
        handler.Invoke(_sender, message.Id, message.Params, batch);
    }

    private ValueTask DispatchNotification(ParsedMessage message)
    {
        if (!TryFind(_notificationHandlers, message.Method, out var handler))
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                JsonRpcPeerLog.UnknownNotification(_logger, _options.Name, Printable(message.Method));
            }

            return ValueTask.CompletedTask;
        }

        ValueTask pending;
        try
        {
            pending = handler.InvokeAsync(message.Params, _sender.Closing, out var problem);
            if (problem is not null)
            {
                // Dropped before the handler: a notification has nobody to answer.
                Violation($"notification '{handler.Method}' dropped: {problem}");
                return ValueTask.CompletedTask;
            }
        }
        catch (Exception ex)
        {
            _violations.HandlerFailed(ex, handler.Method);
            return ValueTask.CompletedTask;
        }

        _violations.Accepted();
        return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : ObserveAsync(pending, handler.Method);
    }

    /// <summary>A notification handler that faults later fails that notification, never the connection.</summary>
    private async ValueTask ObserveAsync(ValueTask pending, string method)
    {
        try
        {
            await pending;
        }
        catch (OperationCanceledException) when (_sender.Closing.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _violations.HandlerFailed(ex, method);
        }
    }

    private void CompletePending(ParsedMessage message)
    {
        if (!_pending.TryTake(message.Id, out var pending))
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                JsonRpcPeerLog.UnknownResponse(_logger, _options.Name, Printable(message.Id));
            }

            return;
        }

        _violations.Accepted();
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
        Violation(message);
        _sender.SendError(id, code, message, batch);
    }

    private void Violation(string problem)
    {
        if (_violations.Report(problem))
        {
            _violated(_violations.TooManyReason);
        }
    }

    /// <summary>A peer's bytes as text for a message or a log line: decoded leniently and cut short.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes.Length <= MaxNameInMessage * 4 ? bytes : bytes[..(MaxNameInMessage * 4)]);
        return text.Length <= MaxNameInMessage ? text : string.Concat(text.AsSpan(0, MaxNameInMessage), "...");
    }

    private static bool TryFind<THandler>(Dictionary<string, THandler> handlers, ReadOnlySpan<byte> method, out THandler handler)
    {
        // Method names are short ASCII; decoding onto the stack avoids a string per message. No
        // handler has a longer or non-ASCII name, so such a name is simply not found.
        Span<char> name = stackalloc char[128];
        if (method.Length > name.Length || !Ascii.IsValid(method))
        {
            handler = default!;
            return false;
        }

        var length = Encoding.ASCII.GetChars(method, name);
        return handlers.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name[..length], out handler!);
    }
}

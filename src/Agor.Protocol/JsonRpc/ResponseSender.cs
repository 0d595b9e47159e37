using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// Answers incoming requests and counts those still being handled. Answers given synchronously
/// while the read loop handles a line are collected and sent together once the lines of that
/// read are done (one write for a burst); answers given later go to the queue directly.
/// </summary>
internal sealed class ResponseSender(OutgoingWriter writer, ViolationLog violations, CancellationToken closing)
{
    [ThreadStatic]
    private static ResponseSender? t_reading;

    // Written by the read loop only, while t_reading is this sender.
    private readonly List<OutgoingFrame> _answered = [];
    private long _answeredBytes;
    private int _answeredEnds;
    private int _inflight;
    private TaskCompletionSource? _drained;

    /// <summary>Cancelled when the connection starts closing; handed to every handler.</summary>
    public CancellationToken Closing => closing;

    /// <summary>Incoming requests being handled whose answer is not queued yet.</summary>
    public int InFlight => Volatile.Read(ref _inflight);

    /// <summary>True while the outgoing queue and the answers collected so far fit the bound.</summary>
    public bool HasRoom => writer.HasRoom(_answeredBytes);

    /// <summary>The read loop is handling lines; synchronous answers are collected from now on.</summary>
    public void BeginReading() => t_reading = this;

    public static void EndReading() => t_reading = null;

    /// <summary><paramref name="count"/> incoming requests are being handled; their answers are not queued yet.</summary>
    public void BeginRequests(int count = 1) => Interlocked.Add(ref _inflight, count);

    /// <summary>The answer to an incoming request (or batch) is queued.</summary>
    public void EndRequest(int count = 1)
    {
        if (t_reading == this)
        {
            // The answer waits in _answered; it counts as queued once it is written or queued.
            _answeredEnds += count;
            return;
        }

        if (Interlocked.Add(ref _inflight, -count) == 0)
        {
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    /// <summary>Completes when every request being handled has been answered.</summary>
    public Task WaitDrainedAsync()
    {
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var existing = Volatile.Read(ref _drained);
        var drained = existing is { Task.IsCompleted: false }
            ? existing
            : Interlocked.CompareExchange(ref _drained, created, existing) == existing ? created : Volatile.Read(ref _drained)!;
        if (Volatile.Read(ref _inflight) == 0)
        {
            drained.TrySetResult();
        }

        return drained.Task;
    }

    public void Enqueue(OutgoingFrame frame)
    {
        if (t_reading == this)
        {
            _answered.Add(frame);
            _answeredBytes += frame.Array.Length;
            return;
        }

        writer.TryQueue(frame);
    }

    public void SendResult<TResult>(ReadOnlySpan<byte> id, TResult result, JsonTypeInfo<TResult> type, BatchResponse? batch)
    {
        if (id.IsEmpty)
        {
            return;
        }

        OutgoingFrame frame;
        try
        {
            frame = OutgoingFrame.Encode(
                id,
                (result, type),
                static (writer, id, state) => JsonRpcMessageWriter.WriteResult(writer, id, state.result, state.type));
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            violations.HandlerFailed(ex, type.Type.Name);
            SendError(id, JsonRpcErrorCode.InternalError, "Internal error.", batch);
            return;
        }

        Send(frame, batch);
    }

    /// <summary>Sends an error answer; never throws (a message quoting the peer's text that cannot be encoded is replaced by a plain one).</summary>
    public void SendError(ReadOnlySpan<byte> id, JsonRpcErrorCode code, string message, BatchResponse? batch)
    {
        var idArray = id.ToArray();
        OutgoingFrame frame;
        try
        {
            frame = EncodeError(idArray, code, message);
        }
        catch (ArgumentException)
        {
            // Invalid UTF-16 (a lone surrogate from the peer's member names) in the message.
            frame = EncodeError(idArray, code, code == JsonRpcErrorCode.InvalidParams ? "Invalid params." : "Invalid request.");
        }

        Send(frame, batch);
    }

    private static OutgoingFrame EncodeError(byte[] id, JsonRpcErrorCode code, string message) =>
        OutgoingFrame.Encode(
            (id, code, message),
            static (writer, state) => JsonRpcMessageWriter.WriteError(writer, state.id, state.code, state.message));

    public void SendHandlerFailure(ReadOnlySpan<byte> id, string method, Exception exception, BatchResponse? batch)
    {
        switch (exception)
        {
            case JsonRpcException rpc:
                SendError(id, rpc.Code, rpc.Message, batch);
                break;
            case OperationCanceledException when closing.IsCancellationRequested:
                break;
            default:
                // The details stay in our log; the peer learns only that it failed.
                violations.HandlerFailed(exception, method);
                SendError(id, JsonRpcErrorCode.InternalError, $"Internal error while handling '{method}'.", batch);
                break;
        }
    }

    /// <summary>Sends the answers the read loop collected: in place when the output is free, else queued.</summary>
    public async ValueTask SendAnsweredAsync()
    {
        if (_answered.Count == 1)
        {
            // One answer: the latency case, written in place.
            await writer.WriteNowOrQueueAsync(_answered[0]);
        }
        else
        {
            // A burst: the write loop sends it while the read loop goes on reading (two CPUs at work).
            foreach (var frame in _answered)
            {
                writer.TryQueue(frame);
            }
        }

        _answered.Clear();
        _answeredBytes = 0;
        var ends = _answeredEnds;
        _answeredEnds = 0;
        if (ends > 0)
        {
            EndRequest(ends);
        }
    }

    /// <summary>Returns what the read loop collected but could not send (the connection closed).</summary>
    public void DiscardAnswered()
    {
        foreach (var frame in _answered)
        {
            frame.Return();
        }

        _answered.Clear();
        _answeredBytes = 0;
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
}

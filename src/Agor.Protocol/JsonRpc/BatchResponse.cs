namespace Agor.Protocol.JsonRpc;

/// <summary>
/// Collects the responses to one incoming batch and sends them as one array once the last
/// handler has answered. A batch of notifications only sends nothing, as the specification says.
/// The batch counts as <c>weight</c> requests in flight until it is answered.
/// </summary>
internal sealed class BatchResponse
{
    private readonly List<OutgoingFrame> _frames = [];
    private readonly ResponseSender _sender;
    private readonly int _weight;
    private int _outstanding = 1;

    public BatchResponse(ResponseSender sender, int weight)
    {
        _sender = sender;
        _weight = weight;
        _sender.BeginRequests(weight);
    }

    public void Add(OutgoingFrame frame)
    {
        lock (_frames)
        {
            _frames.Add(frame);
        }
    }

    /// <summary>A handler of the batch is still running.</summary>
    public void Hold() => Interlocked.Increment(ref _outstanding);

    /// <summary>A handler of the batch (or the reader, for the batch itself) is done.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _outstanding) != 0)
        {
            return;
        }

        if (_frames.Count > 0)
        {
            _sender.Enqueue(OutgoingFrame.JoinAsArray(_frames));
        }

        _sender.EndRequest(_weight);
    }
}

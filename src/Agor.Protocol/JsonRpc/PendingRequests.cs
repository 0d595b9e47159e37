using System.Buffers.Text;
using System.Collections.Concurrent;

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// The requests this side sent and whose answer has not come: their ids, and failing them all
/// with the connection's first failure (like Npgsql's broken connector, a later cause never
/// replaces the first one).
/// </summary>
internal sealed class PendingRequests
{
    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private long _nextId;
    private string? _failure;
    private Exception? _cause;

    /// <summary>Registers a request under a new id. Once the connection failed, the request fails at once with that reason.</summary>
    public long Add(PendingRequest request)
    {
        var id = Interlocked.Increment(ref _nextId);
        _pending[id] = request;

        // FailAll may have swept the map before the request was added to it.
        if (Volatile.Read(ref _failure) is { } reason && _pending.TryRemove(id, out _))
        {
            request.SetException(new JsonRpcConnectionLostException(reason, _cause));
        }

        return id;
    }

    public void Remove(long id) => _pending.TryRemove(id, out _);

    /// <summary>Takes the request an answer's raw id names; false when the id is not one of ours.</summary>
    public bool TryTake(ReadOnlySpan<byte> rawId, out PendingRequest request)
    {
        if (Utf8Parser.TryParse(rawId, out long id, out var consumed) && consumed == rawId.Length
            && _pending.TryRemove(id, out var found))
        {
            request = found;
            return true;
        }

        request = null!;
        return false;
    }

    /// <summary>Fails every pending request, and every later one, with the first reason given.</summary>
    public void FailAll(string reason, Exception? cause)
    {
        if (Interlocked.CompareExchange(ref _failure, reason, null) is null)
        {
            _cause = cause;
        }

        var first = Volatile.Read(ref _failure)!;
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.SetException(new JsonRpcConnectionLostException(first, _cause));
            }
        }
    }
}

using Microsoft.Extensions.Logging;

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// Counts what a peer does wrong and keeps the log bounded: a hostile peer decides how many bad
/// messages it sends, so it must not decide how many log lines we write. The 1st, 2nd, 4th, 8th...
/// violation of a connection is logged (with the count so far), the others only counted; the same
/// for handler failures. Too many violations in a row, with no valid message between them, close
/// the connection.
/// </summary>
internal sealed class ViolationLog(ILogger logger, string name, int maxConsecutive)
{
    private long _violations;
    private long _handlerFailures;
    private int _consecutive;

    /// <summary>Violations so far on this connection.</summary>
    public long Count => Interlocked.Read(ref _violations);

    /// <summary>Records a violation; true when the peer has now sent too many in a row and the connection must close.</summary>
    public bool Report(string problem)
    {
        var count = Interlocked.Increment(ref _violations);
        if (IsPowerOfTwo(count))
        {
            JsonRpcPeerLog.RejectedMessage(logger, name, problem, count);
        }

        return Interlocked.Increment(ref _consecutive) >= maxConsecutive;
    }

    /// <summary>A valid message arrived: the run of violations is over.</summary>
    public void Accepted()
    {
        if (Volatile.Read(ref _consecutive) != 0)
        {
            Volatile.Write(ref _consecutive, 0);
        }
    }

    /// <summary>A handler failed; logged with its exception at the same decreasing rate.</summary>
    public void HandlerFailed(Exception exception, string method)
    {
        var count = Interlocked.Increment(ref _handlerFailures);
        if (IsPowerOfTwo(count))
        {
            JsonRpcPeerLog.HandlerFailed(logger, exception, name, method, count);
        }
    }

    /// <summary>Why the connection closes once <see cref="Report"/> returned true.</summary>
    public string TooManyReason => $"the peer sent {maxConsecutive} invalid messages in a row";

    private static bool IsPowerOfTwo(long count) => (count & (count - 1)) == 0;
}

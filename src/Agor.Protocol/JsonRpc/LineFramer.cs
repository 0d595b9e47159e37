using System.Buffers;

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// Splits a byte stream into '\n'-terminated lines. It only scans bytes it has not scanned
/// before, so a long line arriving in small reads costs linear time, not quadratic.
/// </summary>
internal struct LineFramer
{
    private long _scanned;

    /// <summary>Takes the next complete line off <paramref name="buffer"/>, without its '\n'.</summary>
    public bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var position = _scanned == 0
            ? buffer.PositionOf((byte)'\n')
            : buffer.Slice(_scanned).PositionOf((byte)'\n');
        if (position is null)
        {
            _scanned = buffer.Length;
            line = default;
            return false;
        }

        line = buffer.Slice(0, position.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, position.Value));
        _scanned = 0;
        return true;
    }
}

using System.Buffers;

namespace Agor.Protocol.JsonRpc;

/// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool.</summary>
internal sealed class PooledBufferWriter(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    private byte[] _array = initialCapacity > 0 ? ArrayPool<byte>.Shared.Rent(initialCapacity) : [];
    private int _written;

    /// <summary>Starts a new message in a freshly rented array (after <see cref="Detach"/> or <see cref="Dispose"/>).</summary>
    public void Start(int capacity)
    {
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = ArrayPool<byte>.Shared.Rent(capacity);
        _written = 0;
    }

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    /// <summary>Hands the array over to a frame; this writer must not be used afterwards.</summary>
    public OutgoingFrame Detach()
    {
        var frame = new OutgoingFrame(_array, _written);
        _array = [];
        _written = 0;
        return frame;
    }

    public void Dispose()
    {
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }

        _written = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _array.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
        _array.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }
}

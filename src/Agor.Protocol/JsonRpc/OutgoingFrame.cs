using System.Buffers;
using System.Text.Json;

namespace Agor.Protocol.JsonRpc;

/// <summary>One encoded message (without its '\n') in a pooled array, owned by whoever holds it until written.</summary>
internal readonly record struct OutgoingFrame(byte[] Array, int Length)
{
    public ReadOnlySpan<byte> Span => Array.AsSpan(0, Length);

    public void Return() => ArrayPool<byte>.Shared.Return(Array);

    /// <summary>Encodes a message with <paramref name="write"/> into a pooled buffer.</summary>
    public static OutgoingFrame Encode<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        // One buffer writer and one Utf8JsonWriter per thread, reused: a message costs the array
        // it is encoded into and nothing else (the notification path sends hundreds of thousands).
        var buffer = t_buffer ??= new PooledBufferWriter(0);
        buffer.Start(256);
        try
        {
            var writer = RentWriter(buffer);
            write(writer, state);
            writer.Flush();
            return buffer.Detach();
        }
        catch
        {
            buffer.Dispose();
            t_writer?.Reset();
            throw;
        }
    }

    /// <summary>Joins frames into one JSON array frame and returns the parts to the pool.</summary>
    public static OutgoingFrame JoinAsArray(IReadOnlyList<OutgoingFrame> frames)
    {
        var length = 2 + frames.Count - 1;
        foreach (var frame in frames)
        {
            length += frame.Length;
        }

        var array = ArrayPool<byte>.Shared.Rent(length);
        var position = 0;
        array[position++] = (byte)'[';
        for (var i = 0; i < frames.Count; i++)
        {
            if (i > 0)
            {
                array[position++] = (byte)',';
            }

            frames[i].Span.CopyTo(array.AsSpan(position));
            position += frames[i].Length;
            frames[i].Return();
        }

        array[position++] = (byte)']';
        return new OutgoingFrame(array, position);
    }

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static PooledBufferWriter? t_buffer;

    private static Utf8JsonWriter RentWriter(PooledBufferWriter buffer)
    {
        if (t_writer is null)
        {
            t_writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        }
        else
        {
            t_writer.Reset(buffer);
        }

        return t_writer;
    }
}

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
        var writer = Begin();
        try
        {
            write(writer, state);
            return End(writer);
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    /// <summary>Encodes an answer to the request <paramref name="id"/> (raw JSON, read during the call only) into a pooled buffer.</summary>
    public static OutgoingFrame Encode<TState>(ReadOnlySpan<byte> id, TState state, WriteWithId<TState> write)
    {
        var writer = Begin();
        try
        {
            write(writer, id, state);
            return End(writer);
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    // One buffer writer and one Utf8JsonWriter per thread, reused: a message costs the array it is
    // encoded into and nothing else (the notification path sends hundreds of thousands).
    private static Utf8JsonWriter Begin()
    {
        var buffer = t_buffer ??= new PooledBufferWriter(0);

        // The last message's size from this thread: a thread tends to send one kind of message, so
        // the first array rented usually fits and is never grown (copied) and rented twice.
        buffer.Start(Math.Max(t_lastLength, MinCapacity));
        return RentWriter(buffer);
    }

    private static OutgoingFrame End(Utf8JsonWriter writer)
    {
        writer.Flush();
        var frame = t_buffer!.Detach();
        t_lastLength = Math.Clamp(frame.Length + 1, MinCapacity, MaxRememberedCapacity);
        return frame;
    }

    private static void Abandon()
    {
        t_buffer?.Dispose();
        t_writer?.Reset();
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

    private const int MinCapacity = 256;
    private const int MaxRememberedCapacity = 64 * 1024;

    [ThreadStatic]
    private static int t_lastLength;

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

using System.Buffers;
using System.Diagnostics;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// Reads lines from a stream (an SSE response body, a Unix socket) and stamps each with the
/// <see cref="Stopwatch.GetTimestamp"/> reading taken as soon as the read that completed it
/// returned: the receive time, before any parsing. The SSE figures and their raw baseline read
/// through this same code.
/// </summary>
internal sealed class TimedLineReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly ArrayBufferWriter<byte> _partial = new(4096);

    /// <summary>
    /// Calls <paramref name="onLine"/> for each line (without '\n') until the stream ends, the
    /// callback returns false, or <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task ReadAsync(Func<ReadOnlyMemory<byte>, long, bool> onLine, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await stream.ReadAsync(_buffer, cancellationToken);
            var received = Stopwatch.GetTimestamp();
            if (read == 0)
            {
                return;
            }

            var chunk = _buffer.AsMemory(0, read);
            while (chunk.Span.IndexOf((byte)'\n') is var newline and >= 0)
            {
                ReadOnlyMemory<byte> line;
                if (_partial.WrittenCount > 0)
                {
                    _partial.Write(chunk.Span[..newline]);
                    line = _partial.WrittenMemory.ToArray();
                    _partial.ResetWrittenCount();
                }
                else
                {
                    line = chunk[..newline];
                }

                if (!onLine(line, received))
                {
                    return;
                }

                chunk = chunk[(newline + 1)..];
            }

            _partial.Write(chunk.Span);
        }
    }
}

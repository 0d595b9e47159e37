using System.Text.Json;
using Agor.Daemon.Gateway.Upstreams;

namespace Agor.Daemon.Gateway;

/// <summary>
/// Reads token usage from an upstream answer as its bytes pass, without holding the answer: an SSE
/// stream line by line (each <c>data:</c> payload goes to the upstream's <see cref="IUsageReader"/>),
/// or a whole JSON body at the end. At most <see cref="MaxBufferedBytes"/> are kept: a longer line
/// (or JSON body) is not metered and is priced from what was seen.
/// </summary>
internal sealed class UsageMeter(bool streamed, IUsageReader reader) : IDisposable
{
    public const int MaxBufferedBytes = 4 * 1024 * 1024;

    private readonly MemoryStream _pending = new();
    private bool _overflowed;

    /// <summary>A meter for the Messages API.</summary>
    public UsageMeter(bool streamed)
        : this(streamed, new AnthropicUsageReader())
    {
    }

    public string? Model => reader.Model;

    public bool SawUsage => reader.SawUsage;

    public ModelUsage Usage => reader.Usage;

    public void Observe(ReadOnlySpan<byte> chunk)
    {
        if (!streamed)
        {
            Keep(chunk);
            return;
        }

        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Keep(chunk);
                return;
            }

            Keep(chunk[..newline]);
            if (!_overflowed)
            {
                ReadLine(_pending.GetBuffer().AsSpan(0, (int)_pending.Length));
            }

            _pending.SetLength(0);
            _overflowed = false;
            chunk = chunk[(newline + 1)..];
        }
    }

    /// <summary>The answer ended: a JSON body is read now.</summary>
    public void Complete()
    {
        if (!streamed && !_overflowed && _pending.Length > 0)
        {
            Parse(_pending.GetBuffer().AsSpan(0, (int)_pending.Length), reader.ReadBody);
        }

        _pending.SetLength(0);
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_overflowed)
        {
            return;
        }

        if (_pending.Length + bytes.Length > MaxBufferedBytes)
        {
            _overflowed = true;
            _pending.SetLength(0);
            return;
        }

        _pending.Write(bytes);
    }

    private void ReadLine(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd((byte)'\r');
        if (line.StartsWith("data:"u8))
        {
            Parse(line[5..].TrimStart((byte)' '), reader.ReadEvent);
        }
    }

    private static void Parse(ReadOnlySpan<byte> json, Action<JsonElement> read)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            read(document.RootElement);
        }
        catch (JsonException)
        {
            // Not JSON (an SSE "[DONE]", a cut body): nothing to meter here.
        }
    }

    public void Dispose() => _pending.Dispose();
}

using System.Text.Json;

namespace Agor.Daemon.Gateway;

/// <summary>
/// Reads token usage from an upstream answer as its bytes pass, without holding the answer: an SSE
/// stream line by line (<c>message_start</c>'s usage, then <c>message_delta</c>'s cumulative
/// counts), or a JSON body's top-level <c>usage</c>. At most <see cref="MaxBufferedBytes"/> are
/// kept: a longer line (or JSON body) is not metered and is priced from what was seen.
/// </summary>
internal sealed class UsageMeter(bool streamed) : IDisposable
{
    public const int MaxBufferedBytes = 4 * 1024 * 1024;

    private readonly MemoryStream _pending = new();
    private bool _overflowed;
    private long _input;
    private long _output;
    private long _cacheWrite;
    private long _cacheRead;

    public string? Model { get; private set; }

    public bool SawUsage { get; private set; }

    public ModelUsage Usage => new(_input, _output, _cacheWrite, _cacheRead);

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
            ReadMessage(_pending.GetBuffer().AsSpan(0, (int)_pending.Length), deltaOnly: false);
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
        if (!line.StartsWith("data:"u8))
        {
            return;
        }

        var data = line[5..].TrimStart((byte)' ');
        try
        {
            using var document = JsonDocument.Parse(data.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type))
            {
                return;
            }

            if (type.ValueEquals("message_start"u8) && root.TryGetProperty("message", out var message))
            {
                ReadMessage(message, deltaOnly: false);
            }
            else if (type.ValueEquals("message_delta"u8))
            {
                ReadMessage(root, deltaOnly: true);
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing to meter on this line.
        }
    }

    private void ReadMessage(ReadOnlySpan<byte> json, bool deltaOnly)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            ReadMessage(document.RootElement, deltaOnly);
        }
        catch (JsonException)
        {
        }
    }

    private void ReadMessage(JsonElement message, bool deltaOnly)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (!deltaOnly && message.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String)
        {
            Model = model.GetString();
        }

        if (!message.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        // message_delta's counts are cumulative: each one present replaces the earlier figure.
        SawUsage = true;
        _input = Read(usage, "input_tokens", _input);
        _output = Read(usage, "output_tokens", _output);
        _cacheWrite = Read(usage, "cache_creation_input_tokens", _cacheWrite);
        _cacheRead = Read(usage, "cache_read_input_tokens", _cacheRead);
    }

    private static long Read(JsonElement usage, string name, long current) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) && count >= 0
            ? count
            : current;


    public void Dispose() => _pending.Dispose();
}

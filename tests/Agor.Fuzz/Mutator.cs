using System.Text;

namespace Agor.Fuzz;

/// <summary>
/// Seeded, reproducible mutations of valid wire lines: the same seed gives the same lines. Each
/// line gets one to three of: bit flips, truncation, a value of the wrong type, a huge number,
/// deep nesting, a lone surrogate, invalid UTF-8, a batch (up to past the batch limit), a
/// duplicated id or member, a removed member, a long string, plain garbage.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly string[] HugeNumbers = ["9e18", "1e400", "-1e400", "99999999999999999999999999", "-0", "1.5", "9223372036854775808", "-9223372036854775809", "0.0000001"];
    private static readonly string[] WrongValues = ["null", "true", "\"\"", "[]", "{}", "0", "-1", "\"x\"", "[1,2]", "{\"a\":{}}"];
    private static readonly string[] BadStrings = ["\\ud800", "\\udfff", "\\u0000", "\\ud800\\ud800", "\\\\", "\\\"", "\\uZZZZ"];
    private static readonly byte[][] BadUtf8 = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82]];

    private readonly Random _random = new(seed);

    /// <summary>A mutation of one of <paramref name="corpus"/>'s lines, without its newline (it may contain newlines of its own).</summary>
    public byte[] Next(IReadOnlyList<string> corpus)
    {
        var line = corpus[_random.Next(corpus.Count)];
        if (_random.Next(8) == 0)
        {
            return Batch(corpus);
        }

        var bytes = Encoding.UTF8.GetBytes(line);
        var rounds = 1 + _random.Next(3);
        for (var i = 0; i < rounds; i++)
        {
            bytes = Mutate(bytes);
        }

        return bytes;
    }

    private byte[] Mutate(byte[] line) => _random.Next(12) switch
    {
        0 => FlipBits(line),
        1 => line[.._random.Next(line.Length + 1)],
        2 => ReplaceValue(line, WrongValues[_random.Next(WrongValues.Length)]),
        3 => ReplaceValue(line, HugeNumbers[_random.Next(HugeNumbers.Length)]),
        4 => ReplaceValue(line, Nest(1 + _random.Next(_random.Next(2) == 0 ? 80 : 5000))),
        5 => InsertIntoString(line, Encoding.ASCII.GetBytes(BadStrings[_random.Next(BadStrings.Length)])),
        6 => InsertIntoString(line, BadUtf8[_random.Next(BadUtf8.Length)]),
        7 => DuplicateMember(line),
        8 => RemoveMember(line),
        9 => ReplaceValue(line, "\"" + new string('x', _random.Next(50) == 0 ? 200_000 : 1000) + "\""),
        10 => Garbage(),
        _ => ReplaceId(line),
    };

    private byte[] FlipBits(byte[] line)
    {
        var copy = (byte[])line.Clone();
        var flips = 1 + _random.Next(8);
        for (var i = 0; i < flips && copy.Length > 0; i++)
        {
            copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        }

        return copy;
    }

    private byte[] Batch(IReadOnlyList<string> corpus)
    {
        // Mostly small batches, sometimes just past the 256 limit, rarely thousands.
        var size = _random.Next(10) switch
        {
            0 => 250 + _random.Next(20),
            1 when _random.Next(20) == 0 => 1000 + _random.Next(5000),
            2 => 0,
            _ => 1 + _random.Next(8),
        };
        var builder = new StringBuilder("[");
        for (var i = 0; i < size; i++)
        {
            builder.Append(i > 0 ? "," : string.Empty).Append(_random.Next(4) == 0 ? "1" : corpus[_random.Next(corpus.Count)]);
        }

        return Encoding.UTF8.GetBytes(builder.Append(']').ToString());
    }

    private static string Nest(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary>Replaces the value after a random ':' with <paramref name="value"/>, up to the next ',' or '}'.</summary>
    private byte[] ReplaceValue(byte[] line, string value)
    {
        var colons = Positions(line, (byte)':');
        if (colons.Count == 0)
        {
            return line;
        }

        var start = colons[_random.Next(colons.Count)] + 1;
        var end = start;
        var depth = 0;
        var inString = false;
        for (; end < line.Length; end++)
        {
            var b = line[end];
            if (inString)
            {
                if (b == '\\')
                {
                    end++;
                }
                else if (b == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (b == '"')
            {
                inString = true;
            }
            else if (b is (byte)'{' or (byte)'[')
            {
                depth++;
            }
            else if (b is (byte)'}' or (byte)']' or (byte)',' && depth-- == 0)
            {
                break;
            }
        }

        return [.. line[..start], .. Encoding.UTF8.GetBytes(value), .. line[Math.Min(end, line.Length)..]];
    }

    private byte[] InsertIntoString(byte[] line, byte[] insert)
    {
        var quotes = Positions(line, (byte)'"');
        if (quotes.Count == 0)
        {
            return line;
        }

        var at = quotes[_random.Next(quotes.Count)] + 1;
        return [.. line[..Math.Min(at, line.Length)], .. insert, .. line[Math.Min(at, line.Length)..]];
    }

    private byte[] DuplicateMember(byte[] line)
    {
        var text = Encoding.UTF8.GetString(line);
        var member = new[] { "\"id\":7,", "\"method\":\"ping\",", "\"jsonrpc\":\"1.0\",", "\"params\":{},", "\"result\":{},", "\"error\":{\"code\":1},", "\"id\":null," }[_random.Next(7)];
        var at = text.IndexOf('{', StringComparison.Ordinal);
        return at < 0 ? line : Encoding.UTF8.GetBytes(text.Insert(at + 1, member));
    }

    private byte[] RemoveMember(byte[] line)
    {
        var text = Encoding.UTF8.GetString(line);
        var member = new[] { "\"jsonrpc\":\"2.0\",", "\"id\":", "\"method\":", "\"params\":", "\"session_token\":", "\"event_data\":", "\"task_id\":" }[_random.Next(7)];
        var at = text.IndexOf(member, StringComparison.Ordinal);
        return at < 0 ? line : Encoding.UTF8.GetBytes(text.Remove(at, member.Length));
    }

    private byte[] ReplaceId(byte[] line)
    {
        var ids = new[] { "1", "1", "\"dup\"", "-1", "1e400", "\"\\ud800\"", "{}", "[]", "true", "0.5", "18446744073709551616" };
        var text = Encoding.UTF8.GetString(line);
        var at = text.IndexOf("\"id\":", StringComparison.Ordinal);
        if (at < 0)
        {
            return line;
        }

        var end = text.IndexOf(',', at);
        return end < 0 ? line : Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, at + 5), ids[_random.Next(ids.Length)], text.AsSpan(end)));
    }

    private byte[] Garbage()
    {
        var bytes = new byte[_random.Next(200)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static List<int> Positions(byte[] line, byte value)
    {
        var positions = new List<int>();
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == value)
            {
                positions.Add(i);
            }
        }

        return positions;
    }
}

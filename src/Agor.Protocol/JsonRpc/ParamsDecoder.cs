using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Agor.Protocol.JsonRpc;

/// <summary>
/// Decodes params with the contract's type information and names what is wrong. Whatever the
/// bytes, it answers true or false and never throws: a hostile string (a lone surrogate, invalid
/// UTF-8, a number too large for its member) is one message's problem, not the connection's.
/// </summary>
internal static class ParamsDecoder
{
    private static ReadOnlySpan<byte> EmptyObject => "{}"u8;

    public static bool TryDecode<TParams>(ReadOnlySpan<byte> json, JsonTypeInfo<TParams> type, out TParams value, out string problem)
    {
        value = default!;
        if (!json.IsEmpty && json[0] == (byte)'[')
        {
            problem = "Invalid params: params must be an object with named members.";
            return false;
        }

        TParams? decoded;
        try
        {
            decoded = JsonSerializer.Deserialize(json.IsEmpty ? EmptyObject : json, type);
        }
        catch (JsonException ex)
        {
            problem = Describe(ex);
            return false;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException or NotSupportedException)
        {
            // Utf8JsonReader throws InvalidOperationException on text it cannot transcode.
            problem = "Invalid params: a string is not valid UTF-8 or UTF-16 text.";
            return false;
        }

        if (decoded is null)
        {
            problem = "Invalid params: params must be an object.";
            return false;
        }

        if (decoded is IValidatedParams validated && validated.Validate() is { } invalid)
        {
            problem = $"Invalid params: {invalid}";
            return false;
        }

        value = decoded;
        problem = string.Empty;
        return true;
    }

    private static string Describe(JsonException ex)
    {
        // The serializer's messages name CLR types; a peer needs the JSON member instead.
        const string MissingMarker = "missing required properties including: ";
        var missing = ex.Message.IndexOf(MissingMarker, StringComparison.Ordinal);
        if (missing >= 0)
        {
            return $"Invalid params: missing required {ex.Message[(missing + MissingMarker.Length)..].TrimEnd('.')}.";
        }

        if (ex.Path is { Length: > 2 } path)
        {
            return ex.Message.Contains("null", StringComparison.Ordinal)
                ? $"Invalid params: '{Bounded(path[2..])}' must not be null."
                : $"Invalid params: '{Bounded(path[2..])}' has a value of the wrong type.";
        }

        return "Invalid params: params must be an object.";
    }

    // A path is built from the peer's member names; an answer must not echo megabytes of them.
    private static string Bounded(string text) => text.Length <= 128 ? text : string.Concat(text.AsSpan(0, 128), "...");
}

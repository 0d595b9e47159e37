using System.Text;
using System.Text.Json;

namespace Agor.Protocol.JsonRpc;

/// <summary>Decodes one JSON-RPC message from its bytes without allocating for the common case. No I/O.</summary>
/// <remarks>
/// The reader does not validate the UTF-8 or the escapes inside strings; only decoding one does,
/// and it throws <see cref="InvalidOperationException"/>. So member names are compared without
/// decoding whenever they are not escaped, and every decoding is guarded: a lone surrogate or an
/// invalid byte makes the message invalid, never escapes from here.
/// </remarks>
internal static class JsonRpcMessageParser
{
    /// <summary>The deepest nesting accepted, in a message and in a batch.</summary>
    public const int MaxDepth = 64;

    /// <summary>Parses a single message object. Throws <see cref="JsonException"/> (only) when the bytes are not JSON.</summary>
    public static ParsedMessage Parse(ReadOnlySpan<byte> json)
    {
        var message = default(ParsedMessage);
        message.InvalidCode = JsonRpcErrorCode.InvalidRequest;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            EnsureEnd(ref reader);
            message.InvalidReason = "a message must be a JSON object";
            return message;
        }

        var versionOk = false;
        var hasMethod = false;
        var hasId = false;
        var hasResult = false;
        var hasError = false;
        string? problem = null;
        var invalidCode = JsonRpcErrorCode.InvalidRequest;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (NameIs(ref reader, "jsonrpc"u8))
            {
                reader.Read();
                versionOk = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual("2.0"u8);
                reader.Skip();
            }
            else if (NameIs(ref reader, "id"u8))
            {
                reader.Read();
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.Null)
                {
                    message.Id = json[(int)reader.TokenStartIndex..(int)reader.BytesConsumed];
                    hasId = true;
                }
                else
                {
                    reader.Skip();
                    problem ??= "'id' must be a string, a number or null";
                }
            }
            else if (NameIs(ref reader, "method"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    // Escaped names are rare enough to pay for an allocation; one that does not
                    // decode (a lone surrogate) is no method name at all.
                    if (!reader.ValueIsEscaped)
                    {
                        message.Method = reader.ValueSpan;
                        hasMethod = true;
                    }
                    else if (TryGetString(ref reader) is { } method)
                    {
                        message.Method = Encoding.UTF8.GetBytes(method);
                        hasMethod = true;
                    }
                    else
                    {
                        problem ??= "'method' is not valid text";
                    }
                }
                else
                {
                    reader.Skip();
                    problem ??= "'method' must be a string";
                }
            }
            else if (NameIs(ref reader, "params"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                    message.Params = json[start..(int)reader.BytesConsumed];
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    problem ??= "'params' must be an object or an array";
                }
            }
            else if (NameIs(ref reader, "result"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                message.Result = json[start..(int)reader.BytesConsumed];
                hasResult = true;
            }
            else if (NameIs(ref reader, "error"u8))
            {
                reader.Read();
                hasError = true;
                if (!ReadError(ref reader, ref message))
                {
                    problem ??= "'error.code' must be an integer";
                    invalidCode = JsonRpcErrorCode.ParseError;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        EnsureEnd(ref reader);

        if (!versionOk)
        {
            problem = "'jsonrpc' must be \"2.0\"";
        }
        else if (hasMethod && (hasResult || hasError))
        {
            problem ??= "a message cannot carry both 'method' and 'result' or 'error'";
        }
        else if (!hasMethod && !hasResult && !hasError)
        {
            problem ??= "a message needs 'method', 'result' or 'error'";
        }
        else if (!hasMethod && !hasId)
        {
            problem ??= "a response needs an 'id'";
        }

        if (problem is not null)
        {
            message.InvalidReason = problem;
            message.InvalidCode = invalidCode;
            return message;
        }

        message.Kind = hasMethod
            ? (hasId ? MessageKind.Request : MessageKind.Notification)
            : (hasError ? MessageKind.Error : MessageKind.Result);
        return message;
    }

    /// <summary>Reads the error object; false when its code is missing or not an integer.</summary>
    private static bool ReadError(ref Utf8JsonReader reader, ref ParsedMessage message)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            message.ErrorCode = (int)JsonRpcErrorCode.InternalError;
            message.ErrorMessage = "The peer sent a malformed error.";
            return true;
        }

        var codeOk = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (NameIs(ref reader, "code"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code))
                {
                    message.ErrorCode = code;
                    codeOk = true;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (NameIs(ref reader, "message"u8))
            {
                reader.Read();
                message.ErrorMessage = reader.TokenType == JsonTokenType.String ? TryGetString(ref reader) : null;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return codeOk;
    }

    /// <summary>Compares a member name without throwing: an escaped name that does not decode matches nothing.</summary>
    private static bool NameIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan.SequenceEqual(name);
        }

        try
        {
            return reader.ValueTextEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The string's text, or null when it does not decode (invalid UTF-8, a lone surrogate).</summary>
    private static string? TryGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        // Reading past the root value makes the reader throw on trailing garbage such as "{} x".
        if (reader.Read())
        {
            throw new JsonException("Unexpected data after the JSON value.");
        }
    }
}

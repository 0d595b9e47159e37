using System.Text;
using System.Text.Json;

namespace Agor.Protocol.JsonRpc;

/// <summary>Decodes one JSON-RPC message from its bytes without allocating for the common case. No I/O.</summary>
internal static class JsonRpcMessageParser
{
    /// <summary>Parses a single message object. Throws <see cref="JsonException"/> when the bytes are not JSON.</summary>
    public static ParsedMessage Parse(ReadOnlySpan<byte> json)
    {
        var message = default(ParsedMessage);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
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

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("jsonrpc"u8))
            {
                reader.Read();
                versionOk = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("2.0"u8);
                reader.Skip();
            }
            else if (reader.ValueTextEquals("id"u8))
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
            else if (reader.ValueTextEquals("method"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    // Escaped names are rare enough to pay for an allocation.
                    message.Method = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
                    hasMethod = true;
                }
                else
                {
                    reader.Skip();
                    problem ??= "'method' must be a string";
                }
            }
            else if (reader.ValueTextEquals("params"u8))
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
            else if (reader.ValueTextEquals("result"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                message.Result = json[start..(int)reader.BytesConsumed];
                hasResult = true;
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                hasError = true;
                ReadError(ref reader, ref message);
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
            return message;
        }

        message.Kind = hasMethod
            ? (hasId ? MessageKind.Request : MessageKind.Notification)
            : (hasError ? MessageKind.Error : MessageKind.Result);
        return message;
    }

    private static void ReadError(ref Utf8JsonReader reader, ref ParsedMessage message)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            message.ErrorCode = (int)JsonRpcErrorCode.InternalError;
            message.ErrorMessage = "The peer sent a malformed error.";
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code))
                {
                    message.ErrorCode = code;
                }
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message.ErrorMessage = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
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

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Agor.Protocol.JsonRpc;

/// <summary>Encodes JSON-RPC messages onto a <see cref="Utf8JsonWriter"/>. No I/O.</summary>
internal static class JsonRpcMessageWriter
{
    private static readonly JsonEncodedText JsonRpc = JsonEncodedText.Encode("jsonrpc");
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("2.0");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText MethodName = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText ParamsName = JsonEncodedText.Encode("params");
    private static readonly JsonEncodedText ResultName = JsonEncodedText.Encode("result");
    private static readonly JsonEncodedText ErrorName = JsonEncodedText.Encode("error");
    private static readonly JsonEncodedText CodeName = JsonEncodedText.Encode("code");
    private static readonly JsonEncodedText MessageName = JsonEncodedText.Encode("message");

    public static void WriteRequest<TParams>(Utf8JsonWriter writer, long id, string method, TParams parameters, JsonTypeInfo<TParams> paramsType)
    {
        writer.WriteStartObject();
        writer.WriteString(JsonRpc, Version);
        writer.WriteNumber(IdName, id);
        writer.WriteString(MethodName, method);
        writer.WritePropertyName(ParamsName);
        JsonSerializer.Serialize(writer, parameters, paramsType);
        writer.WriteEndObject();
    }

    public static void WriteNotification<TParams>(Utf8JsonWriter writer, string method, TParams parameters, JsonTypeInfo<TParams> paramsType)
    {
        writer.WriteStartObject();
        writer.WriteString(JsonRpc, Version);
        writer.WriteString(MethodName, method);
        writer.WritePropertyName(ParamsName);
        JsonSerializer.Serialize(writer, parameters, paramsType);
        writer.WriteEndObject();
    }

    public static void WriteResult<TResult>(Utf8JsonWriter writer, ReadOnlySpan<byte> rawId, TResult result, JsonTypeInfo<TResult> resultType)
    {
        writer.WriteStartObject();
        writer.WriteString(JsonRpc, Version);
        writer.WritePropertyName(IdName);
        writer.WriteRawValue(rawId, skipInputValidation: true);
        writer.WritePropertyName(ResultName);
        JsonSerializer.Serialize(writer, result, resultType);
        writer.WriteEndObject();
    }

    /// <summary>Writes an error response; an empty <paramref name="rawId"/> is written as null.</summary>
    public static void WriteError(Utf8JsonWriter writer, ReadOnlySpan<byte> rawId, JsonRpcErrorCode code, string message)
    {
        writer.WriteStartObject();
        writer.WriteString(JsonRpc, Version);
        writer.WritePropertyName(IdName);
        if (rawId.IsEmpty)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(rawId, skipInputValidation: true);
        }

        writer.WritePropertyName(ErrorName);
        writer.WriteStartObject();
        writer.WriteNumber(CodeName, (int)code);
        writer.WriteString(MessageName, message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}

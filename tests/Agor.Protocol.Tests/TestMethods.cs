using System.Text.Json.Serialization;
using Agor.Protocol.JsonRpc;

namespace Agor.Protocol.Tests;

public sealed record EchoParams(string Text, int DelayMs = 0);

public sealed record EchoResult(string Text);

public sealed record StrictParams
{
    public required string Name { get; init; }

    public required int Count { get; init; }
}

public sealed record Empty;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(EchoParams))]
[JsonSerializable(typeof(EchoResult))]
[JsonSerializable(typeof(StrictParams))]
[JsonSerializable(typeof(Empty))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

internal static class TestMethods
{
    public static readonly JsonRpcMethod<EchoParams, EchoResult> Echo = new("echo", TestJsonContext.Default.EchoParams, TestJsonContext.Default.EchoResult);
    public static readonly JsonRpcMethod<StrictParams, Empty> Strict = new("strict", TestJsonContext.Default.StrictParams, TestJsonContext.Default.Empty);
    public static readonly JsonRpcMethod<Empty, Empty> Fail = new("fail", TestJsonContext.Default.Empty, TestJsonContext.Default.Empty);
    public static readonly JsonRpcMethod<Empty, Empty> Never = new("never", TestJsonContext.Default.Empty, TestJsonContext.Default.Empty);
    public static readonly JsonRpcMethod<Empty, Empty> Hold = new("hold", TestJsonContext.Default.Empty, TestJsonContext.Default.Empty);
    public static readonly JsonRpcNotification<EchoParams> Note = new("note", TestJsonContext.Default.EchoParams);
    public static readonly JsonRpcNotification<StrictParams> StrictNote = new("strict_note", TestJsonContext.Default.StrictParams);
    public static readonly JsonRpcNotification<EchoParams> Boom = new("boom", TestJsonContext.Default.EchoParams);
}

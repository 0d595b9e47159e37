using System.Text.Json;
using System.Text.Json.Serialization;

namespace Agor.Protocol.Wire;

/// <summary>
/// Source-generated serialization of every wire type: snake_case, nulls omitted, no reflection.
/// Required members and non-nullable ones are enforced while decoding, so a handler never sees a
/// missing or null field its type says is there.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(PingParams))]
[JsonSerializable(typeof(PingResult))]
[JsonSerializable(typeof(ShutdownParams))]
[JsonSerializable(typeof(ShutdownResult))]
[JsonSerializable(typeof(ExecutePromptParams))]
[JsonSerializable(typeof(ExecutePromptResult))]
[JsonSerializable(typeof(StopTaskParams))]
[JsonSerializable(typeof(StopTaskResult))]
[JsonSerializable(typeof(GetExecutionContextParams))]
[JsonSerializable(typeof(TaskExecutionContext))]
[JsonSerializable(typeof(GetApiKeyParams))]
[JsonSerializable(typeof(ApiKeyResult))]
[JsonSerializable(typeof(RequestPermissionParams))]
[JsonSerializable(typeof(PermissionDecision))]
[JsonSerializable(typeof(ReportCompletionParams))]
[JsonSerializable(typeof(AcknowledgedResult))]
[JsonSerializable(typeof(ReportMessageParams))]
[JsonSerializable(typeof(ReportProgressParams))]
[JsonSerializable(typeof(ReportErrorParams))]
[JsonSerializable(typeof(SandboxSpec))]
[JsonSerializable(typeof(SandboxReport))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;
using Agor.Protocol.Wire;

namespace Agor.Daemon.Api;

/// <summary>Source-generated JSON of the HTTP API and the event stream: snake_case, nulls written as null.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HealthView))]
[JsonSerializable(typeof(SessionView))]
[JsonSerializable(typeof(List<SessionView>))]
[JsonSerializable(typeof(TaskView))]
[JsonSerializable(typeof(List<TaskView>))]
[JsonSerializable(typeof(MessageView))]
[JsonSerializable(typeof(List<MessageView>))]
[JsonSerializable(typeof(DeltaView))]
[JsonSerializable(typeof(PermissionView))]
[JsonSerializable(typeof(List<PermissionView>))]
[JsonSerializable(typeof(ExecutorView))]
[JsonSerializable(typeof(List<ExecutorView>))]
[JsonSerializable(typeof(ExecutorEventView))]
[JsonSerializable(typeof(AuditView))]
[JsonSerializable(typeof(List<AuditView>))]
[JsonSerializable(typeof(EgressView))]
[JsonSerializable(typeof(List<EgressView>))]
[JsonSerializable(typeof(CreateSessionRequest))]
[JsonSerializable(typeof(RenameSessionRequest))]
[JsonSerializable(typeof(PromptRequest))]
[JsonSerializable(typeof(PermissionDecisionRequest))]
[JsonSerializable(typeof(StopResultView))]
[JsonSerializable(typeof(TokenUsage))]
[JsonSerializable(typeof(ErrorInfo))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

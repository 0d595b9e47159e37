using System.Text.Json.Serialization;

namespace Agor.Daemon.Sandbox;

/// <summary>The executor's probe line and the stored <c>SandboxReport</c>: snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SandboxProbeResult))]
[JsonSerializable(typeof(Agor.Protocol.Wire.SandboxReport))]
[JsonSerializable(typeof(LimitHitEvent))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;

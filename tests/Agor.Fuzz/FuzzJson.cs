using System.Text.Json.Serialization;

namespace Agor.Fuzz;

/// <summary>The stats file between the fuzz executor and the run that started its daemon.</summary>
[JsonSerializable(typeof(FuzzReport))]
internal sealed partial class FuzzJson : JsonSerializerContext;

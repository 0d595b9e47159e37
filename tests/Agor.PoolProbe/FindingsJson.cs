using System.Text.Json.Serialization;

namespace Agor.PoolProbe;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class FindingsJson : JsonSerializerContext;

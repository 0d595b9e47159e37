using System.Text.Json;

namespace Agor.Protocol.JsonRpc;

/// <summary>Writes a message that carries a request's raw id: a span, which a closure or a tuple cannot hold, so it is passed through.</summary>
internal delegate void WriteWithId<TState>(Utf8JsonWriter writer, ReadOnlySpan<byte> id, TState state);

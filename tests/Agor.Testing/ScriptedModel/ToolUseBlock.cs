namespace Agor.Testing.ScriptedModel;

/// <summary>A <c>tool_use</c> block; <paramref name="InputJson"/> is a serialized JSON object.</summary>
internal sealed record ToolUseBlock(string Id, string Name, string InputJson) : ScriptedBlock;

namespace Agor.Testing.ScriptedModel;

/// <summary>A <c>tool_result</c> block the client sent to the model.</summary>
/// <param name="ToolUseId">The <c>tool_use_id</c> it answers.</param>
/// <param name="Content">The content as text: a string content as is, text blocks concatenated.</param>
/// <param name="IsError">The <c>is_error</c> flag (false when absent).</param>
public sealed record RecordedToolResult(string ToolUseId, string Content, bool IsError);

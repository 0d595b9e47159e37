namespace Agor.Testing.ScriptedModel;

/// <summary>The Messages API stop reasons the server produces.</summary>
internal static class StopReasons
{
    public const string EndTurn = "end_turn";
    public const string ToolUse = "tool_use";
    public const string MaxTokens = "max_tokens";
}

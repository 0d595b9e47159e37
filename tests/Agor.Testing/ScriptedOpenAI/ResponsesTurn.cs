namespace Agor.Testing.ScriptedOpenAI;

/// <summary>One scripted answer to a <c>POST /v1/responses</c>: what the model "says" in that response.</summary>
public abstract record ResponsesTurn
{
    /// <summary>The usage reported in <c>response.completed</c>.</summary>
    public ResponsesUsage Usage { get; init; } = ResponsesUsage.Default;

    /// <summary>Text streamed as one <c>output_text.delta</c> per chunk, with no pause between them.</summary>
    public static ResponsesTurn Text(params string[] chunks) => new TextTurn(chunks, TimeSpan.Zero);

    /// <summary><paramref name="count"/> chunks <c>"tickN "</c>, <paramref name="delay"/> apart: a stream long enough to stop in the middle.</summary>
    public static ResponsesTurn SlowText(int count, TimeSpan delay) =>
        new TextTurn([.. Enumerable.Range(1, count).Select(i => $"tick{i} ")], delay);

    /// <summary>A <c>function_call</c> of <c>exec_command</c> running <paramref name="command"/>.</summary>
    public static ResponsesTurn ShellCommand(string command, string? callId = null) =>
        new FunctionCallTurn("exec_command", System.Text.Json.JsonSerializer.Serialize(new { cmd = command }), callId ?? NewCallId());

    /// <summary>A <c>custom_tool_call</c> of <c>apply_patch</c> with <paramref name="patch"/> (the freeform patch text).</summary>
    public static ResponsesTurn ApplyPatch(string patch, string? callId = null) => new CustomToolCallTurn("apply_patch", patch, callId ?? NewCallId());

    /// <summary>An apply_patch that adds <paramref name="relativePath"/> with <paramref name="content"/> (lines).</summary>
    public static ResponsesTurn AddFile(string relativePath, string content, string? callId = null) =>
        ApplyPatch($"*** Begin Patch\n*** Add File: {relativePath}\n{string.Concat(content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "+" + l + "\n"))}*** End Patch\n", callId);

    internal static string NewCallId() => "call_" + Guid.NewGuid().ToString("N")[..16];
}

/// <summary>Streamed assistant text.</summary>
public sealed record TextTurn(IReadOnlyList<string> Chunks, TimeSpan Delay) : ResponsesTurn;

/// <summary>A function tool call (arguments are a JSON string, as the API sends them).</summary>
public sealed record FunctionCallTurn(string Name, string Arguments, string CallId) : ResponsesTurn;

/// <summary>A custom (freeform) tool call such as <c>apply_patch</c>.</summary>
public sealed record CustomToolCallTurn(string Name, string Input, string CallId) : ResponsesTurn;

/// <summary>Token counts of one response.</summary>
public sealed record ResponsesUsage(long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens)
{
    public static ResponsesUsage Default { get; } = new(120, 20, 9, 0);
}

using System.Text.Json.Nodes;

namespace Agor.Testing.ScriptedGemini;

/// <summary>
/// One scripted answer to a <c>streamGenerateContent</c> call: SSE chunks of parts (text, or a
/// <c>functionCall</c>), the last with <c>finishReason: "STOP"</c> and <c>usageMetadata</c>; or an HTTP error.
/// </summary>
public sealed record GeminiTurn
{
    /// <summary>Each inner list is one SSE chunk's <c>parts</c>.</summary>
    public required IReadOnlyList<IReadOnlyList<JsonObject>> Chunks { get; init; }

    /// <summary>The pause before each chunk after the first.</summary>
    public TimeSpan DelayBetweenChunks { get; init; }

    /// <summary>Reported as <c>usageMetadata.promptTokenCount</c>.</summary>
    public int PromptTokens { get; init; } = 100;

    /// <summary>Reported as <c>usageMetadata.candidatesTokenCount</c>.</summary>
    public int CandidateTokens { get; init; } = 7;

    /// <summary>Not null: the call is answered with this HTTP status and a Google-style error body instead.</summary>
    public int? ErrorStatus { get; init; }

    /// <summary>Text streamed one chunk per string.</summary>
    public static GeminiTurn Text(params string[] chunks) => new() { Chunks = [.. chunks.Select(c => (IReadOnlyList<JsonObject>)[TextPart(c)])] };

    /// <summary>Text with a pause between chunks.</summary>
    public static GeminiTurn PacedText(TimeSpan delayBetweenChunks, params string[] chunks) => Text(chunks) with { DelayBetweenChunks = delayBetweenChunks };

    /// <summary><paramref name="count"/> chunks <c>"tickN "</c>, paced: a stream that is still going when a test stops it.</summary>
    public static GeminiTurn SlowText(int count, TimeSpan delayBetweenChunks) =>
        PacedText(delayBetweenChunks, [.. Enumerable.Range(1, count).Select(i => $"tick{i} ")]);

    /// <summary>A <c>run_shell_command</c> call.</summary>
    public static GeminiTurn ShellCommand(string command, string description = "scripted command") =>
        FunctionCall("run_shell_command", new JsonObject { ["command"] = command, ["description"] = description });

    /// <summary>A <c>write_file</c> call.</summary>
    public static GeminiTurn WriteFile(string filePath, string content) =>
        FunctionCall("write_file", new JsonObject { ["file_path"] = filePath, ["content"] = content });

    /// <summary>Any function call, in one chunk.</summary>
    public static GeminiTurn FunctionCall(string name, JsonObject args) =>
        new() { Chunks = [[new JsonObject { ["functionCall"] = new JsonObject { ["name"] = name, ["args"] = args } }]] };

    /// <summary>An HTTP error answer.</summary>
    public static GeminiTurn Error(int status) => new() { Chunks = [], ErrorStatus = status };

    private static JsonObject TextPart(string text) => new() { ["text"] = text };
}

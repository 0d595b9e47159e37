using System.Text.Json;

namespace Agor.Executor.Agents.Codex;

/// <summary>
/// The app-server's approval requests as permission questions: which tool, with which input, and
/// how the answer is written. Commands are <c>exec_command</c> (input: command, cwd, reason,
/// command_actions) and file changes <c>apply_patch</c> (input: path of the first file, changes with
/// their diffs, reason); the diff comes in the item's <c>item/started</c>, not in the request.
/// </summary>
internal static class CodexApprovals
{
    public const string CommandTool = "exec_command";
    public const string PatchTool = "apply_patch";

    /// <summary>A question to ask, or null for a server request that is no approval.</summary>
    public static Question? Describe(string method, JsonElement parameters, IReadOnlyDictionary<string, JsonElement> fileChanges)
    {
        switch (method)
        {
            case "item/commandExecution/requestApproval":
                return new Question(CommandTool, CodexFrames.Element(w =>
                {
                    w.WriteString("command", Text(parameters, "command") ?? string.Empty);
                    Copy(w, parameters, "cwd", "cwd");
                    Copy(w, parameters, "reason", "reason");
                    Copy(w, parameters, "commandActions", "command_actions");
                }), Text(parameters, "itemId"), Legacy: false);
            case "item/fileChange/requestApproval":
                var itemId = Text(parameters, "itemId");
                var changes = itemId is not null && fileChanges.TryGetValue(itemId, out var c) ? c : default;
                return new Question(PatchTool, CodexFrames.Element(w =>
                {
                    if (changes.ValueKind == JsonValueKind.Array && changes.GetArrayLength() > 0 && Text(changes[0], "path") is { } path)
                    {
                        w.WriteString("path", path);
                    }

                    w.WritePropertyName("changes");
                    if (changes.ValueKind == JsonValueKind.Array)
                    {
                        changes.WriteTo(w);
                    }
                    else
                    {
                        w.WriteStartArray();
                        w.WriteEndArray();
                    }

                    Copy(w, parameters, "reason", "reason");
                    Copy(w, parameters, "grantRoot", "grant_root");
                }), itemId, Legacy: false);
            case "execCommandApproval":
                return new Question(CommandTool, CodexFrames.Element(w =>
                {
                    var command = parameters.TryGetProperty("command", out var parts) && parts.ValueKind == JsonValueKind.Array
                        ? string.Join(' ', parts.EnumerateArray().Select(p => p.ToString()))
                        : Text(parameters, "command") ?? string.Empty;
                    w.WriteString("command", command);
                    Copy(w, parameters, "cwd", "cwd");
                    Copy(w, parameters, "reason", "reason");
                }), Text(parameters, "callId"), Legacy: true);
            case "applyPatchApproval":
                return new Question(PatchTool, CodexFrames.Element(w =>
                {
                    Copy(w, parameters, "fileChanges", "changes");
                    Copy(w, parameters, "reason", "reason");
                    Copy(w, parameters, "grantRoot", "grant_root");
                }), Text(parameters, "callId"), Legacy: true);
            default:
                return null;
        }
    }

    /// <summary>The result member of the answer. A refusal lets the turn go on (the model is told it was rejected); it never cancels the turn.</summary>
    public static Action<Utf8JsonWriter> Answer(Question question, bool approved) => writer =>
        writer.WriteString("decision", (question.Legacy, approved) switch
        {
            (false, true) => "accept",
            (false, false) => "decline",
            (true, true) => "approved",
            (true, false) => "denied",
        });

    public static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void Copy(Utf8JsonWriter writer, JsonElement from, string name, string asName)
    {
        if (from.ValueKind == JsonValueKind.Object && from.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            writer.WritePropertyName(asName);
            value.WriteTo(writer);
        }
    }

    /// <summary>One permission question.</summary>
    internal sealed record Question(string ToolName, JsonElement Input, string? ToolUseId, bool Legacy);
}

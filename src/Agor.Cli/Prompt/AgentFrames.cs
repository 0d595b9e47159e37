using System.Text.Json;
using Agor.Cli.Output;

namespace Agor.Cli.Prompt;

/// <summary>A tool call as the transcript shows it: the tool's name and what it works on.</summary>
/// <param name="Id">The agent's id of the call, so a call seen twice is shown once; null when it has none.</param>
internal sealed record AgentToolCall(string? Id, string Name, string Summary);

/// <summary>A tool's result as the transcript shows it: its output, and whether it failed.</summary>
internal sealed record AgentToolResult(string Text, bool IsError);

/// <summary>
/// Reads a <c>report_message</c>'s <c>event_data</c>, which is the agent's own frame: Claude Code's
/// stream-json, the Codex app-server's notification, or the Gemini CLI's ACP <c>session/update</c>.
/// The one place in the CLI that knows those shapes; everything else asks it.
/// </summary>
internal static class AgentFrames
{
    /// <summary>The text the CLI emits as a message chunk when the session's mode changes: protocol, not the model's words.</summary>
    private const string GeminiModeUpdatePrefix = "[MODE_UPDATE]";

    /// <summary>The streamed text of a <c>content_block_delta</c>, or null when it carries none (tool output, a plan, a block's start).</summary>
    public static string? DeltaText(string eventType, JsonElement data)
    {
        if (eventType != "content_block_delta")
        {
            return null;
        }

        var text = Method(data) switch
        {
            "item/agentMessage/delta" => data.Member("params").Text("delta"),
            "session/update" when Update(data).Text("sessionUpdate") == "agent_message_chunk" => Update(data).Member("content").Text("text"),
            _ when data.Member("event") is var e && e.Text("type") == "content_block_delta" && e.Member("delta") is var d && d.Text("type") == "text_delta" => d.Text("text"),
            _ => null,
        };
        return text is { Length: > 0 } && !text.StartsWith(GeminiModeUpdatePrefix, StringComparison.Ordinal) ? text : null;
    }

    /// <summary>
    /// Whether a delta starts a new message, so text streamed from there on is whole. Only Claude Code
    /// marks that in its deltas; the others' text is shown when its complete message arrives.
    /// </summary>
    public static bool StartsMessage(JsonElement data) => data.Member("event").Text("type") == "message_start";

    /// <summary>The text of an <c>assistant_message</c>, or empty.</summary>
    public static string AssistantText(string eventType, JsonElement data)
    {
        if (eventType != "assistant_message")
        {
            return string.Empty;
        }

        if (Method(data) == "item/completed")
        {
            var item = data.Member("params").Member("item");
            return item.Text("type") == "agentMessage" ? item.Text("text") : string.Empty;
        }

        // Gemini's turn text, gathered by the executor: {type: assistant_message, content: {type: text, text}}.
        if (data.Text("type") == "assistant_message" && data.Member("content") is { ValueKind: JsonValueKind.Object } content)
        {
            return content.Text("text");
        }

        return string.Concat(Blocks(data.Member("message").Member("content"), "text").Select(b => b.Text("text")));
    }

    /// <summary>The tool calls a <c>tool_call</c> or <c>tool_result</c> names (a Gemini call that had to ask shows itself first in its result).</summary>
    public static IReadOnlyList<AgentToolCall> ToolCalls(string eventType, JsonElement data, string? cwd)
    {
        if (eventType is not ("tool_call" or "tool_result"))
        {
            return [];
        }

        switch (Method(data))
        {
            case "item/started" or "item/completed":
                var item = data.Member("params").Member("item");
                return item.ValueKind == JsonValueKind.Object ? [CodexCall(item, cwd)] : [];
            case "session/update":
                var update = Update(data);
                var id = update.Text("toolCallId");
                var kind = update.Text("kind");
                var name = id.IndexOf("__", StringComparison.Ordinal) is var end and > 0 ? id[..end] : kind is { Length: > 0 } ? kind : "tool";
                return [new AgentToolCall(id.Length > 0 ? id : null, name, JsonFields.Shorten(update.Text("title"), 80))];
        }

        if (eventType != "tool_call")
        {
            return [];
        }

        return [.. Blocks(data.Member("message").Member("content"), "tool_use")
            .Select(b => new AgentToolCall(b.Text("id") is { Length: > 0 } id ? id : null, b.Text("name"), ToolSummary.Describe(b.Member("input"), cwd, 80)))];
    }

    /// <summary>The results a <c>tool_result</c> carries.</summary>
    public static IReadOnlyList<AgentToolResult> ToolResults(string eventType, JsonElement data, string? cwd)
    {
        if (eventType != "tool_result")
        {
            return [];
        }

        switch (Method(data))
        {
            case "item/completed":
                return [CodexResult(data.Member("params").Member("item"), cwd)];
            case "session/update":
                var update = Update(data);
                return [new AgentToolResult(GeminiContent(update.Member("content"), cwd), update.Text("status") == "failed")];
        }

        return [.. Blocks(data.Member("message").Member("content"), "tool_result")
            .Select(r => new AgentToolResult(ClaudeResultText(r.Member("content")), r.Member("is_error").ValueKind == JsonValueKind.True))];
    }

    /// <summary>An <c>error</c> event as one line: the code (when there is one) and the message.</summary>
    public static string ErrorText(JsonElement data)
    {
        if (Method(data) == "error")
        {
            var error = data.Member("params").Member("error");
            return error.Text("message") is { Length: > 0 } message ? message : data.Member("params").Text("message");
        }

        return data.Text("code") is { Length: > 0 } code ? $"{code}: {data.Text("message")}" : data.Text("message");
    }

    private static AgentToolCall CodexCall(JsonElement item, string? cwd)
    {
        var id = item.Text("id") is { Length: > 0 } i ? i : null;
        return item.Text("type") switch
        {
            // The names the executor gives these tools in permission questions, so the two read alike.
            "commandExecution" => new AgentToolCall(id, "exec_command", JsonFields.Shorten(item.Text("command"), 80)),
            "fileChange" => new AgentToolCall(id, "apply_patch", JsonFields.Shorten(string.Join(", ", ChangedPaths(item, cwd)), 80)),
            "mcpToolCall" => new AgentToolCall(id, item.Text("tool") is { Length: > 0 } tool ? tool : "mcp", JsonFields.Shorten(item.Text("server"), 80)),
            "webSearch" => new AgentToolCall(id, "web_search", JsonFields.Shorten(item.Text("query"), 80)),
            var other => new AgentToolCall(id, other, string.Empty),
        };
    }

    private static AgentToolResult CodexResult(JsonElement item, string? cwd)
    {
        var status = item.Text("status");
        var failed = status is "failed" or "declined" || item.Number("exitCode") is { } code && code != 0;
        var text = item.Text("type") switch
        {
            "commandExecution" => item.Text("aggregatedOutput"),
            "fileChange" when !failed => string.Join("\n", ChangedPaths(item, cwd)),
            _ => string.Empty,
        };
        return new AgentToolResult(text.Length > 0 ? text : failed ? status : string.Empty, failed);
    }

    private static IEnumerable<string> ChangedPaths(JsonElement item, string? cwd) =>
        item.Member("changes") is { ValueKind: JsonValueKind.Array } changes
            ? changes.EnumerateArray().Select(c => ToolSummary.Relative(c.Text("path"), cwd)).Where(p => p.Length > 0)
            : [];

    // ACP tool content: text blocks wrapped as {type: content, content: {type: text, text}}, or diffs of a path.
    private static string GeminiContent(JsonElement content, string? cwd) =>
        content.ValueKind == JsonValueKind.Array
            ? string.Join('\n', content.EnumerateArray().Select(c => c.Text("type") switch
            {
                "content" => c.Member("content").Text("text"),
                "diff" => ToolSummary.Relative(c.Text("path"), cwd),
                _ => string.Empty,
            }).Where(t => t.Length > 0))
            : string.Empty;

    private static string Method(JsonElement data) => data.Text("method");

    private static JsonElement Update(JsonElement data) => data.Member("params").Member("update");

    private static IEnumerable<JsonElement> Blocks(JsonElement content, string type) =>
        content.ValueKind == JsonValueKind.Array ? content.EnumerateArray().Where(b => b.Text("type") == type) : [];

    private static string ClaudeResultText(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? string.Empty,
        JsonValueKind.Array => string.Join('\n', content.EnumerateArray().Select(b => b.Text("text"))),
        _ => string.Empty,
    };
}

using System.Text;
using System.Text.Json;

namespace Agor.Testing.ScriptedModel;

/// <summary>Reads the parts tests look at out of a Messages API request body. Tolerant: a missing or odd field reads as empty.</summary>
internal static class RequestBodyReader
{
    public static IReadOnlyList<JsonElement> Messages(JsonElement? body)
    {
        if (body is not { ValueKind: JsonValueKind.Object } b || !b.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return [.. messages.EnumerateArray()];
    }

    public static IReadOnlyList<RecordedToolResult> ToolResults(IReadOnlyList<JsonElement> messages)
    {
        var results = new List<RecordedToolResult>();
        foreach (var block in UserContentBlocks(messages))
        {
            if (TypeOf(block) != "tool_result")
            {
                continue;
            }

            var id = block.TryGetProperty("tool_use_id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : "";
            var content = block.TryGetProperty("content", out var contentElement) ? ContentText(contentElement) : "";
            var isError = block.TryGetProperty("is_error", out var errorElement) && errorElement.ValueKind == JsonValueKind.True;
            results.Add(new RecordedToolResult(id, content, isError));
        }

        return results;
    }

    public static IReadOnlyList<string> UserTexts(IReadOnlyList<JsonElement> messages)
    {
        var texts = new List<string>();
        foreach (var message in messages)
        {
            if (RoleOf(message) != "user" || !message.TryGetProperty("content", out var content))
            {
                continue;
            }

            if (content.ValueKind == JsonValueKind.String)
            {
                texts.Add(content.GetString()!);
                continue;
            }

            if (content.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var block in content.EnumerateArray())
            {
                if (TypeOf(block) == "text" && block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    texts.Add(text.GetString()!);
                }
            }
        }

        return texts;
    }

    public static string SystemText(JsonElement? body) =>
        body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("system", out var system) ? ContentText(system) : "";

    public static IReadOnlyList<string> ToolNames(JsonElement? body)
    {
        if (body is not { ValueKind: JsonValueKind.Object } b || !b.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var names = new List<string>();
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            {
                names.Add(name.GetString()!);
            }
        }

        return names;
    }

    /// <summary>A content value as text: a string as is, an array's text blocks concatenated.</summary>
    public static string ContentText(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var block in content.EnumerateArray())
        {
            if (TypeOf(block) == "text" && block.TryGetProperty("text", out var part) && part.ValueKind == JsonValueKind.String)
            {
                text.Append(part.GetString());
            }
        }

        return text.ToString();
    }

    private static IEnumerable<JsonElement> UserContentBlocks(IReadOnlyList<JsonElement> messages)
    {
        foreach (var message in messages)
        {
            if (RoleOf(message) == "user" && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
            {
                foreach (var block in content.EnumerateArray())
                {
                    yield return block;
                }
            }
        }
    }

    private static string? RoleOf(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String ? role.GetString() : null;

    private static string? TypeOf(JsonElement block) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
}

using System.Text.Json;
using Agor.Cli.Output;

namespace Agor.Cli.Prompt;

/// <summary>A short description of a tool's input: the file, the command, the pattern.</summary>
internal static class ToolSummary
{
    private static readonly string[] PathMembers = ["file_path", "notebook_path", "path"];
    private static readonly string[] TextMembers = ["command", "pattern", "url", "query", "description", "prompt"];

    /// <param name="input">The tool's input object.</param>
    /// <param name="cwd">The session's directory: paths inside it are shown relative to it.</param>
    /// <param name="length">At most this many characters.</param>
    public static string Describe(JsonElement input, string? cwd, int length)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            return string.Empty;
        }

        foreach (var name in PathMembers)
        {
            if (input.Text(name) is { Length: > 0 } path)
            {
                return JsonFields.Shorten(Relative(path, cwd), length);
            }
        }

        foreach (var name in TextMembers)
        {
            if (input.Text(name) is { Length: > 0 } text)
            {
                return JsonFields.Shorten(text, length);
            }
        }

        return JsonFields.Shorten(input.GetRawText(), length);
    }

    /// <summary><paramref name="path"/> relative to <paramref name="cwd"/> when it lies inside it.</summary>
    public static string Relative(string path, string? cwd)
    {
        if (cwd is null || !Path.IsPathFullyQualified(path))
        {
            return path;
        }

        var relative = Path.GetRelativePath(cwd, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}

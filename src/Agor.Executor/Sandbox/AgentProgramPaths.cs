using Agor.Executor.Agents;

namespace Agor.Executor.Sandbox;

/// <summary>
/// Where the agent's own program lives, to be shown read-only inside: for a path in a
/// <c>node_modules</c> tree the outermost <c>node_modules</c> directory, otherwise its directory;
/// the same for the real path behind symlinks; and node's directory when the program is a node script.
/// </summary>
internal static class AgentProgramPaths
{
    public static IReadOnlyList<string> For(string program, string? searchPath)
    {
        var paths = new List<string>();
        var real = RealPath(program);
        Add(paths, program);
        Add(paths, real);
        if (IsNodeScript(real) && ExecutablePath.Resolve("node", searchPath) is { } node)
        {
            paths.Add(Path.GetDirectoryName(node)!);
            paths.Add(Path.GetDirectoryName(RealPath(node))!);
        }

        return [.. paths.Distinct(StringComparer.Ordinal)];
    }

    private static void Add(List<string> paths, string file)
    {
        var full = Path.GetFullPath(file);
        var parts = full.Split('/');
        var first = Array.IndexOf(parts, "node_modules");
        paths.Add(first > 0 ? string.Join('/', parts[..(first + 1)]) : Path.GetDirectoryName(full)!);
    }

    private static string RealPath(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return Path.GetFullPath(path);
        }
    }

    private static bool IsNodeScript(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var head = new byte[128];
            var read = stream.Read(head);
            var line = System.Text.Encoding.ASCII.GetString(head, 0, read).Split('\n')[0];
            return line.StartsWith("#!", StringComparison.Ordinal) && line.Contains("node", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

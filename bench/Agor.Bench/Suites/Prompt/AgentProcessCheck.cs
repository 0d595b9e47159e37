using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// Checks that the baseline runs what the executor runs: reads the agent process the executor
/// started (its only child) from /proc — argv, environment, working directory — while it streams,
/// and compares them with the baseline's <see cref="ProcessStartInfo"/> for the same sandbox.
/// </summary>
internal static class AgentProcessCheck
{
    /// <summary>Null when they match; otherwise what differs.</summary>
    public static string? Compare(int executorPid, ProcessStartInfo baseline)
    {
        var children = ChildrenOf(executorPid);
        if (children.Count != 1)
        {
            return $"the executor has {children.Count} child processes, not the one agent";
        }

        // The executor starts the agent through its guard (agor-executor --agent-guard): the agent is the guard's one child.
        if (ReadNulSeparated($"/proc/{children[0].ToString(CultureInfo.InvariantCulture)}/cmdline").Contains("--agent-guard", StringComparer.Ordinal))
        {
            children = ChildrenOf(children[0]);
            if (children.Count != 1)
            {
                return $"the agent guard has {children.Count} child processes, not the one agent";
            }
        }

        var proc = $"/proc/{children[0].ToString(CultureInfo.InvariantCulture)}";
        var argv = ReadNulSeparated(Path.Combine(proc, "cmdline"));
        var environment = ReadNulSeparated(Path.Combine(proc, "environ"))
            .Select(entry => entry.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : string.Empty, StringComparer.Ordinal);
        var cwd = new DirectoryInfo(Path.Combine(proc, "cwd")).LinkTarget;

        var problems = new List<string>();
        string[] expectedArgv = [baseline.FileName, .. baseline.ArgumentList];
        if (!argv.SequenceEqual(expectedArgv, StringComparer.Ordinal))
        {
            problems.Add($"argv: executor's agent [{string.Join(' ', argv)}], baseline [{string.Join(' ', expectedArgv)}]");
        }

        var expectedEnvironment = baseline.Environment.Where(pair => pair.Value is not null).ToDictionary(pair => pair.Key, pair => pair.Value!, StringComparer.Ordinal);
        foreach (var name in environment.Keys.Union(expectedEnvironment.Keys).Order(StringComparer.Ordinal))
        {
            var actual = environment.GetValueOrDefault(name);
            var expected = expectedEnvironment.GetValueOrDefault(name);
            if (actual != expected)
            {
                problems.Add($"env {name}: executor's agent {Show(actual)}, baseline {Show(expected)}");
            }
        }

        if (cwd != baseline.WorkingDirectory)
        {
            problems.Add($"cwd: executor's agent {cwd}, baseline {baseline.WorkingDirectory}");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static List<int> ChildrenOf(int pid) =>
        [.. Directory.EnumerateDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(child => int.Parse(child, CultureInfo.InvariantCulture))];

    private static string Show(string? value) => value is null ? "(unset)" : $"'{value}'";

    private static string[] ReadNulSeparated(string path) =>
        Encoding.UTF8.GetString(File.ReadAllBytes(path)).Split('\0', StringSplitOptions.RemoveEmptyEntries);
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// Checks that the baseline runs what the executor runs: reads the agent process the executor
/// started (its only child) from /proc — argv, environment, working directory — while it streams,
/// and compares them with the baseline's <see cref="ProcessStartInfo"/> for the same sandbox.
/// </summary>
internal static partial class AgentProcessCheck
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

            // A child the guard forks for a moment (Codex's start-up shows one) is not the agent: the agent is the one running the baseline's program.
            if (children.Count > 1)
            {
                children = [.. children.Where(c => ReadNulSeparated($"/proc/{c.ToString(CultureInfo.InvariantCulture)}/cmdline").Take(2).Contains(baseline.FileName, StringComparer.Ordinal))];
            }

            if (children.Count != 1)
            {
                return $"the agent guard has {children.Count} child processes running {baseline.FileName}, not the one agent";
            }
        }

        var proc = $"/proc/{children[0].ToString(CultureInfo.InvariantCulture)}";
        var argv = ReadNulSeparated(Path.Combine(proc, "cmdline"));

        // A script (Gemini's Node one) runs through its #! line: the kernel puts the interpreter first, for both sides alike.
        if (argv.Length > 1 && argv[0] != baseline.FileName && argv[1] == baseline.FileName)
        {
            argv = argv[1..];
        }
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
            var actual = Unnamed(environment.GetValueOrDefault(name));
            var expected = Unnamed(expectedEnvironment.GetValueOrDefault(name));
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

    /// <summary>A new Gemini home's name is random (<c>new-&lt;guid&gt;</c>) on each side: the rest of the path must match.</summary>
    private static string? Unnamed(string? value) => value is null ? null : NewHomeName().Replace(value, "new-*");

    [GeneratedRegex("new-[0-9a-f]{32}")]
    private static partial Regex NewHomeName();

    private static string Show(string? value) => value is null ? "(unset)" : $"'{value}'";

    private static string[] ReadNulSeparated(string path) =>
        Encoding.UTF8.GetString(File.ReadAllBytes(path)).Split('\0', StringSplitOptions.RemoveEmptyEntries);
}

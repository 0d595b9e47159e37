using System.Globalization;

namespace Agor.Bench.Suites;

/// <summary>
/// The prompt suite's command line: <c>[--agents claude,codex,gemini] [--iterations N]</c> (also
/// <c>--agent NAME</c>), in any order. Without <c>--agents</c>, every agent runs; without
/// <c>--iterations</c>, each its own default (Claude Code's is the largest: Gemini's start takes seconds).
/// </summary>
internal sealed record PromptOptions(IReadOnlyList<string> Agents, int? Iterations)
{
    public static readonly string[] KnownAgents = ["claude", "codex", "gemini"];

    public static bool TryParse(IReadOnlyList<string> arguments, out PromptOptions options)
    {
        options = new PromptOptions(KnownAgents, null);
        for (var i = 0; i < arguments.Count; i++)
        {
            if (i + 1 >= arguments.Count)
            {
                return false;
            }

            var value = arguments[++i];
            switch (arguments[i - 1])
            {
                case "--agents" or "--agent":
                    string[] agents = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => a == "claude-code" ? "claude" : a).Distinct(StringComparer.Ordinal)];
                    if (agents.Length == 0 || agents.Any(a => !KnownAgents.Contains(a, StringComparer.Ordinal)))
                    {
                        return false;
                    }

                    options = options with { Agents = agents };
                    break;
                case "--iterations" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    options = options with { Iterations = n };
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>Runs the agents' parts one after the other; the worst exit code (2: could not run, 1: a target missed).</summary>
    public static async Task<int> RunAsync(PromptOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var code = 0;
        foreach (var agent in options.Agents)
        {
            var result = agent == "claude"
                ? await PromptSuite.RunAsync(output, options.Iterations ?? PromptSuite.DefaultIterations, cancellationToken)
                : await AgentPromptSuite.RunAsync(output, agent, options.Iterations, cancellationToken);
            code = Math.Max(code, result);
            output.WriteLine();
        }

        return code;
    }
}

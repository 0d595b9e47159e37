using System.Globalization;

namespace Agor.Executor.Guard;

/// <summary>
/// The guard's command line: <c>agor-executor --agent-guard --executor-pid PID --umask OCTAL -- PROGRAM ARGS...</c>.
/// </summary>
internal sealed record AgentGuardOptions(int ExecutorPid, int Umask, string Program, IReadOnlyList<string> Arguments)
{
    public const string Switch = "--agent-guard";

    /// <summary>The arguments that make <c>agor-executor</c> guard <paramref name="program"/> for this executor.</summary>
    public static IReadOnlyList<string> CommandLine(int executorPid, int umask, string program, IEnumerable<string> arguments) =>
    [
        Switch,
        "--executor-pid", executorPid.ToString(CultureInfo.InvariantCulture),
        "--umask", Convert.ToString(umask, 8),
        "--",
        program,
        .. arguments,
    ];

    public static AgentGuardOptions? Parse(IReadOnlyList<string> args)
    {
        int? executorPid = null;
        var umask = Convert.ToInt32("022", 8);
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--executor-pid" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1:
                    executorPid = pid;
                    i++;
                    break;
                case "--umask" when i + 1 < args.Count && ExecutorOptions.TryParseUmask(args[i + 1], out var mask):
                    umask = mask;
                    i++;
                    break;
                case "--" when i + 1 < args.Count && executorPid is { } executor:
                    return new AgentGuardOptions(executor, umask, args[i + 1], [.. args.Skip(i + 2)]);
                default:
                    return null;
            }
        }

        return null;
    }
}

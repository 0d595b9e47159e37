using System.Globalization;

namespace Agor.Executor.Guard;

/// <summary>
/// The guard's command line: <c>agor-executor --agent-guard --executor-pid PID --umask OCTAL
/// [--seccomp] [--cgroup PATH]... [--rlimit-nproc N] -- PROGRAM ARGS...</c>.
/// </summary>
internal sealed record AgentGuardOptions(int ExecutorPid, int Umask, string Program, IReadOnlyList<string> Arguments)
{
    public const string Switch = "--agent-guard";

    /// <summary>PROGRAM is bwrap: hand it our seccomp filter (<c>--seccomp FD</c> right after the program).</summary>
    public bool Seccomp { get; init; }

    /// <summary>Cgroup directories the guard joins (writes its pid into <c>cgroup.procs</c>) before starting anything.</summary>
    public IReadOnlyList<string> CgroupPaths { get; init; } = [];

    /// <summary>RLIMIT_NPROC set before starting; 0: none.</summary>
    public long RlimitNproc { get; init; }

    /// <summary>The arguments that make <c>agor-executor</c> guard <paramref name="program"/> for this executor.</summary>
    public static IReadOnlyList<string> CommandLine(int executorPid, int umask, string program, IEnumerable<string> arguments, GuardLimits? limits = null)
    {
        var line = new List<string> { Switch, "--executor-pid", executorPid.ToString(CultureInfo.InvariantCulture), "--umask", Convert.ToString(umask, 8) };
        if (limits is not null)
        {
            if (limits.Seccomp)
            {
                line.Add("--seccomp");
            }

            foreach (var path in limits.CgroupPaths)
            {
                line.Add("--cgroup");
                line.Add(path);
            }

            if (limits.RlimitNproc > 0)
            {
                line.Add("--rlimit-nproc");
                line.Add(limits.RlimitNproc.ToString(CultureInfo.InvariantCulture));
            }
        }

        line.Add("--");
        line.Add(program);
        line.AddRange(arguments);
        return line;
    }

    public static AgentGuardOptions? Parse(IReadOnlyList<string> args)
    {
        int? executorPid = null;
        var umask = Convert.ToInt32("022", 8);
        var seccomp = false;
        var cgroups = new List<string>();
        long nproc = 0;
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
                case "--seccomp":
                    seccomp = true;
                    break;
                case "--cgroup" when i + 1 < args.Count && args[i + 1].StartsWith('/'):
                    cgroups.Add(args[i + 1]);
                    i++;
                    break;
                case "--rlimit-nproc" when i + 1 < args.Count && long.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    nproc = n;
                    i++;
                    break;
                case "--" when i + 1 < args.Count && executorPid is { } executor:
                    return new AgentGuardOptions(executor, umask, args[i + 1], [.. args.Skip(i + 2)])
                    {
                        Seccomp = seccomp,
                        CgroupPaths = cgroups,
                        RlimitNproc = nproc,
                    };
                default:
                    return null;
            }
        }

        return null;
    }
}

/// <summary>What the guard sets up around the agent beyond its lifetime: the seccomp filter for bwrap, cgroups, RLIMIT_NPROC.</summary>
internal sealed record GuardLimits(bool Seccomp, IReadOnlyList<string> CgroupPaths, long RlimitNproc);

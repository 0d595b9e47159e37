using System.Diagnostics;
using Agor.Bench.Measurement;
using Agor.Bench.Native;
using Agor.Bench.Processes;

namespace Agor.Bench.Suites.Sandbox;

/// <summary>
/// What bubblewrap itself costs: <c>/bin/true</c> started and reaped, against
/// <c>bwrap &lt;the executor's line&gt; -- /bin/true</c> started and reaped the same way,
/// alternating, in one run. Printed beside the prompt figures so that a sandbox overhead there can
/// be read against what setting up the namespaces and mounts takes here.
/// </summary>
internal sealed class BwrapTrueFigures(TextWriter log, string agentProgram, int samples = 60)
{
    private const int Warmup = 5;

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken)
    {
        const string Name = "bwrap -- /bin/true vs /bin/true";
        var bwrap = CommandLine.Find("bwrap");
        if (bwrap is null)
        {
            table.Add(Figure.Skip(Name, "bwrap is not installed (apt-get install bubblewrap)"));
            return;
        }

        var root = Directory.CreateTempSubdirectory("agor-bench-bwrap-").FullName;
        try
        {
            var cwd = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
            var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
            var deny = Directory.CreateDirectory(Path.Combine(root, "agor-home")).FullName;
            var line = BwrapCommandLine.Build(cwd, home, agentProgram, [deny], Libc.geteuid() == 0);
            string[] confined = [.. line, "--", "/bin/true"];
            var check = await CommandLine.RunAsync(bwrap, confined, cancellationToken: cancellationToken);
            if (!check.Succeeded)
            {
                table.Add(Figure.Skip(Name, $"bwrap cannot run here (exit {check.ExitCode}): {check.Stderr.Trim()}"));
                return;
            }

            log.WriteLine($"bwrap: {bwrap}, {line.Count} arguments ({line.Count(a => a is "--tmpfs" or "--bind" or "--ro-bind" or "--dev" or "--proc")} mounts); {samples} samples after {Warmup} warm-up, alternating ...");
            var bare = new List<double>(samples);
            var sandboxed = new List<double>(samples);
            for (var i = 0; i < Warmup + samples; i++)
            {
                var b = await TimeAsync("/bin/true", [], cancellationToken);
                var s = await TimeAsync(bwrap, confined, cancellationToken);
                if (i >= Warmup)
                {
                    bare.Add(b);
                    sandboxed.Add(s);
                }
            }

            var trueStats = new Stats(bare);
            var bwrapStats = new Stats(sandboxed);
            table.Add(new Figure("bwrap -- /bin/true p50 (baseline: /bin/true)", Units.Milliseconds(bwrapStats.P50), Units.Milliseconds(trueStats.P50), "-", null));
            table.Add(new Figure("bwrap -- /bin/true p95 (baseline: /bin/true)", Units.Milliseconds(bwrapStats.P95), Units.Milliseconds(trueStats.P95), "-", null));
            table.Add(new Figure("bwrap's own cost on a bare true (p50 − p50, ratio)", $"+{Units.Milliseconds(bwrapStats.P50 - trueStats.P50)} ({Units.Ratio(bwrapStats.P50 / trueStats.P50)})", "0 (/bin/true)", "-", null));
            table.Note($"bwrap vs true: Process.Start and reap of /bin/true, against {bwrap} with the executor's command line (namespaces pid, ipc, uts, cgroup{(Libc.geteuid() == 0 ? string.Empty : ", user")}; --die-with-parent, --new-session, --cap-drop ALL; the system read-only, /dev, /proc, a private /tmp, /home /root /run and other passwd homes masked, the agent's install read-only ({agentProgram}), a working directory and an agent home bound, one deny path masked) -- /bin/true; no --seccomp (the guard passes the filter on an inherited memfd). {samples} samples each after {Warmup} warm-up, alternating; load average {BenchInfo.LoadAverage()} at the end.");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<double> TimeAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var start = Stopwatch.GetTimestamp();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {program}.");
        await process.WaitForExitAsync(cancellationToken);
        var elapsed = Stats.MillisecondsSince(start);
        return process.ExitCode == 0 ? elapsed : throw new InvalidOperationException($"{program} exited {process.ExitCode}");
    }
}

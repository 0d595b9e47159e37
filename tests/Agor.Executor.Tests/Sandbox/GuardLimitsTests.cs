using System.Globalization;
using Agor.Executor.Guard;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Sandbox;

/// <summary>The guard's sandbox options: parsed both ways, and applied for real (cgroup v1 join, a refused join, RLIMIT_NPROC).</summary>
public sealed class GuardLimitsTests
{
    [Fact]
    public void CommandLine_WithLimits_RoundTrips()
    {
        var line = AgentGuardOptions.CommandLine(4321, 18, "/usr/bin/bwrap", ["--ro-bind", "/", "/"], new GuardLimits(true, ["/sys/fs/cgroup/memory/a", "/sys/fs/cgroup/pids/a"], 256));

        var parsed = AgentGuardOptions.Parse(line);

        Assert.NotNull(parsed);
        Assert.True(parsed.Seccomp);
        Assert.Equal(["/sys/fs/cgroup/memory/a", "/sys/fs/cgroup/pids/a"], parsed.CgroupPaths);
        Assert.Equal(256, parsed.RlimitNproc);
        Assert.Equal("/usr/bin/bwrap", parsed.Program);
        Assert.Equal(["--ro-bind", "/", "/"], parsed.Arguments);
    }

    [Theory]
    [InlineData("--agent-guard", "--executor-pid", "50", "--cgroup", "relative", "--", "/bin/true")]
    [InlineData("--agent-guard", "--executor-pid", "50", "--rlimit-nproc", "0", "--", "/bin/true")]
    [InlineData("--agent-guard", "--executor-pid", "50", "--rlimit-nproc", "-3", "--", "/bin/true")]
    [InlineData("--agent-guard", "--executor-pid", "50", "--cgroup")]
    public void Parse_RefusesWrongLimits(params string[] line) => Assert.Null(AgentGuardOptions.Parse(line));

    [SkippableFact(Timeout = 30_000)]
    public async Task Cgroup_TheGuardJoinsItBeforeStartingTheAgent()
    {
        Isolation.Require();
        var pids = "/sys/fs/cgroup/pids";
        Skip.IfNot(Directory.Exists(pids) || Isolation.Required, "this test needs the cgroup v1 pids controller at /sys/fs/cgroup/pids");
        var cgroup = Directory.CreateDirectory(Path.Combine(pids, $"agor-guard-test-{Guid.NewGuid():N}"[..28])).FullName;
        try
        {
            var result = await RunGuardAsync(["--cgroup", cgroup, "--", "/bin/cat", "/proc/self/cgroup"]);

            Assert.Equal(0, result.ExitCode);
            Assert.Contains($":pids:/{Path.GetFileName(cgroup)}", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(cgroup);
        }
    }

    [Fact]
    public async Task Cgroup_ThatCannotBeJoined_IsAnErrorExit_AndNothingStarts()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"agor-guard-{Guid.NewGuid():N}");

        var result = await RunGuardAsync(["--cgroup", "/nonexistent/cgroup", "--", "/bin/touch", marker]);

        Assert.Equal(70, result.ExitCode);
        Assert.Contains("cannot join the cgroup /nonexistent/cgroup", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task RlimitNproc_IsWhatTheAgentGets()
    {
        var result = await RunGuardAsync(["--rlimit-nproc", "777", "--", "/bin/grep", "Max processes", "/proc/self/limits"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^Max processes\s+777\s+777\s", result.Stdout);
    }

    /// <summary>The guard insists its parent is the executor: a shell plays it (the guard is its child, so $$ is the parent).</summary>
    private static Task<ProcessResult> RunGuardAsync(IReadOnlyList<string> options)
    {
        var quoted = string.Join(' ', options.Select(o => "'" + o.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var script = $"'{TestBinaries.ExecutorPath}' --agent-guard --executor-pid $$ {quoted}; exit $?";
        return ProcessRunner.RunAsync("/bin/sh", ["-c", script]);
    }
}

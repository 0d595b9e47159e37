using System.Text.Json;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Sandbox;

/// <summary>
/// What a prompt-injected agent can see from inside the sandbox, tried through a real daemon, the
/// real CLI and a scripted <c>Bash</c> call: the daemon's files, other users' homes, other
/// processes. Each spec runs with executors as the daemon's own user and with <c>run_as_unix_user</c>.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class SandboxEscapeVisibilityTests
{
    private const string OtherUser = "agor_e2e_other";

    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheDaemonsAgorHome_ConfigTokenAndDatabase_AreNotVisible(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser);
        var session = await h.CreateSessionAsync();

        // Names nothing inside the home, so that an error message cannot echo a file name back.
        var run = await h.RunBashAsync(session, $"echo \"entries=$(find {h.Home} -mindepth 1 2>/dev/null | wc -l)\"; ls -A {h.Home}; cat {h.Home}/* {h.Home}/*/* 2>/dev/null | head -c 4000; true");

        Assert.Equal("completed", run.Status);
        var seen = run.Output;
        Assert.Contains("entries=0", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("agor.db", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("api-token", seen, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Inner.Daemon.Token, seen, StringComparison.Ordinal);
        Assert.DoesNotContain("base_url", seen, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Inner.Options.ApiKey!, seen, StringComparison.Ordinal);
        Assert.True(run.Sandbox.GetProperty("confined").GetBoolean());
    }

    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnotherUsersHome_AndRoot_AreNotVisible_EvenWhenWorldReadable(bool runAsUnixUser)
    {
        SandboxPrerequisites.RequireRoot(runAsUnixUser);
        await UnixUsers.EnsureAsync(OtherUser);
        var otherHome = SandboxE2EHarness.PasswdHome(OtherUser);
        var secret = "other-users-secret-" + Guid.NewGuid().ToString("N")[..12];
        var secretFile = Path.Combine(otherHome, "notes.txt");
        await File.WriteAllTextAsync(secretFile, secret + "\n");
        File.SetUnixFileMode(otherHome, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(secretFile, (UnixFileMode)0b110_100_100);
        await ProcessRunner.RunCheckedAsync("chown", ["-R", OtherUser, otherHome]);
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser);
        var session = await h.CreateSessionAsync();

        var run = await h.RunBashAsync(session, $"cat {secretFile} 2>/dev/null; echo \"home=[$(ls -A /home 2>&1 | tr '\\n' ' ')]\"; echo \"root=[$(ls -A /root 2>&1 | tr '\\n' ' ')]\"; true");

        Assert.Equal("completed", run.Status);
        var seen = run.Output;
        Assert.DoesNotContain(secret, seen, StringComparison.Ordinal);
        Assert.DoesNotContain(OtherUser, seen, StringComparison.Ordinal);
        Assert.Contains("root=[]", seen, StringComparison.Ordinal);
    }

    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PsAndProc_ShowOnlyTheAgentsOwnTree(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser);
        var session = await h.CreateSessionAsync();

        var run = await h.RunBashAsync(session, "ps -e -o pid=,args=; echo \"count=$(ls -d /proc/[0-9]* | wc -l)\"; cat /proc/1/cmdline | tr '\\0' ' ' | head -c 300; echo");

        Assert.Equal("completed", run.Status);
        var seen = run.Output;
        Assert.DoesNotContain("daemon start", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("--socket", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("--agent-guard", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet", seen, StringComparison.Ordinal);
        // The last "count=": ps lists the shell's own command line, which holds the text too.
        var count = int.Parse(seen[(seen.LastIndexOf("count=", StringComparison.Ordinal) + 6)..].Split('\n')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(count, 2, 16);
        Assert.True(ProcessTable.IsRunning(h.Inner.Daemon.Pid));
    }

    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ANormalTask_RunsConfined_AndItsRecordAndHealthSayHow(bool runAsUnixUser)
    {
        SandboxPrerequisites.RequireCgroups(runAsUnixUser);
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser);
        var session = await h.CreateSessionAsync();

        var run = await h.RunBashAsync(session, "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; echo \"home=$HOME tmp=$TMPDIR host=$(hostname) uid=$(id -u)\"; unshare -U true; echo \"unshare=$?\"");

        Assert.Equal("completed", run.Status);
        var seen = run.Output;
        Assert.Matches(@"Seccomp:\s+2", seen);
        Assert.Matches(@"NoNewPrivs:\s+1", seen);
        Assert.Contains("home=/home/agent tmp=/tmp host=agor-sandbox", seen, StringComparison.Ordinal);
        Assert.Contains($"uid={await h.AgentUidAsync()}", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("unshare=0", seen, StringComparison.Ordinal);

        var report = run.Sandbox;
        Assert.True(report.GetProperty("confined").GetBoolean());
        Assert.Equal("bwrap", report.GetProperty("mechanism").GetString());
        Assert.True(report.GetProperty("seccomp").GetBoolean());
        Assert.Equal("cgroup", report.GetProperty("limits").GetString());
        Assert.Equal("/home/agent", report.GetProperty("home").GetString());
        var namespaces = report.GetProperty("namespaces").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "mount", "pid", "ipc", "uts", "cgroup" }, namespaces.ToHashSet());

        var health = await h.HealthSandboxAsync();
        Assert.Equal("auto", health.GetProperty("mode").GetString());
        Assert.True(health.GetProperty("available").GetBoolean());
        Assert.True(health.GetProperty("seccomp").GetBoolean());
        Assert.StartsWith("cgroup", health.GetProperty("limits").GetString(), StringComparison.Ordinal);
        Assert.False(health.TryGetProperty("warning", out var warning) && warning.ValueKind == JsonValueKind.String, $"no warning expected: {health}");
    }
}

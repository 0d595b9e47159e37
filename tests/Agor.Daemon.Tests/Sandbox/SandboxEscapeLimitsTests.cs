using System.Globalization;
using System.Text.Json;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Sandbox;

/// <summary>
/// Resource exhaustion from inside the sandbox: a fork loop and a memory hog, each held by the
/// kernel at the task's cgroup limit, recorded on the task, and felt by no other task.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class SandboxEscapeLimitsTests
{
    private const int PidsMax = 64;

    // Claude Code's own binary is about 245 MB and counts against the task's memory while it runs;
    // the limit leaves it room and the hog asks for far more than the limit.
    private const string MemoryMax = "384M";

    private const string ForkLoop = """perl -e 'my @k; for (1..400) { my $p = fork; if (!defined $p) { print "refused after ", scalar(@k), ": $!\n"; last } if (!$p) { sleep 60; exit 0 } push @k, $p } kill 9, @k; waitpid($_, 0) for @k; print "forked ", scalar(@k), "\n"'""";

    private const string MemoryHog = """perl -e '$x = "a" x (1536 * 1024 * 1024); print "hog-" . "survived ", length($x), "\n"'; echo "hog=$?" """;

    [SkippableTheory(Timeout = 240_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AForkLoop_IsHeldAtPidsMax_AndTheTasksRecordSaysSo(bool runAsUnixUser)
    {
        SandboxPrerequisites.RequireCgroups(runAsUnixUser);
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser, [$"pids_max: {PidsMax}"]);
        var session = await h.CreateSessionAsync();

        var run = await h.RunBashAsync(session, ForkLoop);
        var hit = await h.WaitForSystemEventAsync(run.TaskId, "resource_limit");

        Assert.Equal("pids_max", hit.GetProperty("limit").GetString());
        Assert.Equal(PidsMax.ToString(CultureInfo.InvariantCulture), MaxText(hit));
        Assert.True(hit.GetProperty("count").GetInt64() > 0);
        Assert.False(string.IsNullOrWhiteSpace(hit.GetProperty("message").GetString()));
        AssertCompletedOrFailedAt(run, "pids_max");
        if (run.Seen is { } seen)
        {
            Assert.Contains("refused after", seen, StringComparison.Ordinal);
            var forked = int.Parse(seen[(seen.IndexOf("refused after ", StringComparison.Ordinal) + 14)..].Split(':')[0], CultureInfo.InvariantCulture);
            Assert.InRange(forked, 0, PidsMax - 1);
        }

        Assert.Single(await h.SystemEventsAsync(session, "resource_limit"));
        Assert.Equal("ok", (await h.Inner.Daemon.GetAsync("/health")).GetProperty("status").GetString());
    }

    [SkippableTheory(Timeout = 240_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AMemoryHog_IsKilledAtMemoryMax_TheRecordSaysSo_AndATaskOfAnotherSessionCompletes(bool runAsUnixUser)
    {
        SandboxPrerequisites.RequireCgroups(runAsUnixUser);
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser, [$"memory_max: {MemoryMax}"]);
        var hogSession = await h.CreateSessionAsync();
        var otherSession = await h.CreateSessionAsync();

        var other = await h.StartBashAsync(otherSession, "sleep 4; echo other-done");
        var hog = await (await h.StartBashAsync(hogSession, MemoryHog)).EndAsync();
        var otherRun = await other.EndAsync();
        var hit = await h.WaitForSystemEventAsync(hog.TaskId, "resource_limit");

        Assert.Equal("memory_max", hit.GetProperty("limit").GetString());
        Assert.Equal(MemoryMax, MaxText(hit));
        Assert.True(hit.GetProperty("count").GetInt64() >= 1);
        AssertCompletedOrFailedAt(hog, "memory_max");
        if (hog.Seen is { } seen)
        {
            // Split in the command, so that bash's "Killed  perl -e ..." line (which echoes the command) does not hold it.
            Assert.DoesNotContain("hog-survived", seen, StringComparison.Ordinal);
            Assert.Contains("hog=137", seen, StringComparison.Ordinal);
        }

        Assert.Equal("completed", otherRun.Status);
        Assert.Contains("other-done", otherRun.Output, StringComparison.Ordinal);
        Assert.Empty(await h.SystemEventsAsync(otherSession, "resource_limit"));
        Assert.True(ProcessTable.IsRunning(h.Inner.Daemon.Pid));
    }

    /// <summary>The agent may survive the hit (the task completes) or be the one killed (the task fails, naming the limit).</summary>
    private static void AssertCompletedOrFailedAt(BashRun run, string limit)
    {
        if (run.Status == "failed")
        {
            Assert.Equal("resource_limit", run.ErrorCode);
            Assert.Contains(limit, run.ErrorMessage, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("completed", run.Status);
        }
    }

    private static string? MaxText(JsonElement hit)
    {
        var max = hit.GetProperty("max");
        return max.ValueKind == JsonValueKind.Number ? max.GetRawText() : max.GetString();
    }
}

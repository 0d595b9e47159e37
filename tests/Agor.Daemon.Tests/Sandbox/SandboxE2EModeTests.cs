using System.Text.Json;

namespace Agor.Daemon.Tests.Sandbox;

/// <summary>
/// <c>sandbox.mode</c> where bubblewrap cannot be had (<c>bwrap_path: /nonexistent/bwrap</c>):
/// <c>required</c> refuses the task, <c>auto</c> runs it unconfined and says so loudly, <c>off</c>
/// runs it unconfined and says why; what the user sees in the task, its messages and <c>/health</c>.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class SandboxE2EModeTests
{
    private const string MissingBwrap = "bwrap_path: /nonexistent/bwrap";

    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Required_WithBwrapUnavailable_RefusesTheTask_WithSandboxUnavailable(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser, ["mode: required", MissingBwrap]);
        var session = await h.CreateSessionAsync();

        var run = await h.RunBashAsync(session, "echo the-agent-ran");

        Assert.Equal("failed", run.Status);
        Assert.Equal("sandbox_unavailable", run.ErrorCode);
        Assert.Contains("bwrap", run.ErrorMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Null(run.Seen);
        Assert.DoesNotContain(h.Model.ConversationRequests, r => r.UserText.Contains(run.Prompt, StringComparison.Ordinal));
        if (run.Task.TryGetProperty("sandbox", out var report) && report.ValueKind == JsonValueKind.Object)
        {
            Assert.False(report.GetProperty("confined").GetBoolean());
        }

        var health = await h.HealthSandboxAsync();
        Assert.Equal("required", health.GetProperty("mode").GetString());
        Assert.False(health.GetProperty("available").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(health.GetProperty("warning").GetString()));
    }

    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Auto_WithBwrapUnavailable_RunsUnconfined_WarnsInTheTranscriptAndHealth_AndRecordsIt(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser, ["mode: auto", MissingBwrap]);
        var session = await h.CreateSessionAsync();

        var run = await h.RunBashAsync(session, "echo the-agent-ran");

        Assert.Equal("completed", run.Status);
        Assert.Contains("the-agent-ran", run.Output, StringComparison.Ordinal);
        var warning = Assert.Single(await h.SystemEventsAsync(session, "sandbox_unconfined"));
        Assert.Equal("system", warning.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(warning.GetProperty("message").GetString()));
        var report = run.Sandbox;
        Assert.False(report.GetProperty("confined").GetBoolean());
        Assert.Equal("none", report.GetProperty("mechanism").GetString());
        Assert.False(string.IsNullOrWhiteSpace(report.GetProperty("reason").GetString()));

        var health = await h.HealthSandboxAsync();
        Assert.Equal("auto", health.GetProperty("mode").GetString());
        Assert.False(health.GetProperty("available").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(health.GetProperty("warning").GetString()));
    }

    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Off_RunsUnconfined_WithoutAWarningEvent_AndTheRecordSaysWhy(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser, ["mode: off"]);
        var session = await h.CreateSessionAsync();

        var run = await h.RunBashAsync(session, "echo the-agent-ran");

        Assert.Equal("completed", run.Status);
        Assert.Empty(await h.SystemEventsAsync(session, "sandbox_unconfined"));
        var report = run.Sandbox;
        Assert.False(report.GetProperty("confined").GetBoolean());
        Assert.Contains("off", report.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("off", (await h.HealthSandboxAsync()).GetProperty("mode").GetString());
    }
}

using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Executor.Tests.Sandbox;

/// <summary>What each <c>sandbox.mode</c> does when bwrap is there and when it is not.</summary>
public sealed class SandboxModeTests
{
    [SkippableFact(Timeout = 60_000)]
    public async Task Required_WithBwrapMissing_FailsSandboxUnavailable_AndTheAgentNeverStarts()
    {
        await using var h = await SandboxHarness.StartAsync();
        var marker = Path.Combine(h.WorkingDirectory, "ran");

        var (completion, _, _) = await h.RunBashAsync($"touch {marker}", h.Spec() with { BwrapPath = "/nonexistent" });

        Assert.Equal(CompletionStatus.Failed, completion.Status);
        Assert.Equal("sandbox_unavailable", completion.Error?.Code);
        Assert.Contains("/nonexistent", completion.Error?.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install bubblewrap", completion.Error?.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
        Assert.Empty(h.Prompt.Model.ConversationRequests);
        Assert.False(Assert.IsType<SandboxReport>(completion.Sandbox).Confined);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task Required_WithTheDaemonsProbeSayingUnavailable_Fails()
    {
        await using var h = await SandboxHarness.StartAsync();

        var (completion, _, _) = await h.RunBashAsync("echo never", h.Spec() with { Unavailable = "user namespaces are disabled" });

        Assert.Equal("sandbox_unavailable", completion.Error?.Code);
        Assert.Contains("user namespaces are disabled", completion.Error?.Message, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Auto_WithBwrapMissing_RunsUnconfined_AfterTheEvent_AndReportsIt()
    {
        await using var h = await SandboxHarness.StartAsync();

        var (completion, output, taskId) = await h.RunBashAsync("echo HOME=$HOME; echo END", h.Spec(mode: SandboxModes.Auto) with { BwrapPath = "/nonexistent" });

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.DoesNotContain("HOME=/home/agent", output, StringComparison.Ordinal);
        var first = h.Prompt.Daemon.MessagesOf(taskId).MinBy(m => m.Sequence)!;
        Assert.Equal(EventTypes.System, first.EventType);
        Assert.Equal("sandbox_unconfined", first.EventData.GetProperty("subtype").GetString());
        Assert.Equal("system", first.EventData.GetProperty("type").GetString());
        Assert.Contains("/nonexistent", first.EventData.GetProperty("message").GetString(), StringComparison.Ordinal);
        var report = Assert.IsType<SandboxReport>(completion.Sandbox);
        Assert.False(report.Confined);
        Assert.Equal("none", report.Mechanism);
        Assert.Contains("/nonexistent", report.Reason, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Off_RunsUnconfined_WithoutAnEvent_AndSaysWhy()
    {
        await using var h = await SandboxHarness.StartAsync();

        var (completion, _, taskId) = await h.RunBashAsync("echo END", h.Spec(mode: SandboxModes.Off));

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.DoesNotContain(h.Prompt.Daemon.MessagesOf(taskId), m => m.EventData.ValueKind == JsonValueKind.Object && m.EventData.TryGetProperty("subtype", out var s) && s.GetString() == "sandbox_unconfined");
        var report = Assert.IsType<SandboxReport>(completion.Sandbox);
        Assert.False(report.Confined);
        Assert.Equal("sandbox.mode is off", report.Reason);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task BwrapThatFailsToSetUp_FailsSandboxUnavailable_WithBwrapsWords()
    {
        await using var h = await SandboxHarness.StartAsync();
        var dangling = Path.Combine(h.Root, "dangling");
        File.CreateSymbolicLink(dangling, Path.Combine(h.Root, "gone"));

        var (completion, _, _) = await h.RunBashAsync("echo never", h.Spec() with { ReadOnly = [dangling] });

        Assert.Equal(CompletionStatus.Failed, completion.Status);
        Assert.Equal("sandbox_unavailable", completion.Error?.Code);
        Assert.Contains("bwrap: ", completion.Error?.Message, StringComparison.Ordinal);
        Assert.Empty(h.Prompt.Model.ConversationRequests);
        Assert.False(Assert.IsType<SandboxReport>(completion.Sandbox).Confined);
    }
}

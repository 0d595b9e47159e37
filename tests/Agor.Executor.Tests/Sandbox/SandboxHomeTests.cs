using Agor.Protocol.Wire;

namespace Agor.Executor.Tests.Sandbox;

/// <summary>Each session has its own agent home: private, seeded from the template once, kept across its tasks, never seen by another.</summary>
public sealed class SandboxHomeTests
{
    [SkippableFact(Timeout = 180_000)]
    public async Task AFilePlantedInOneSessionsHome_IsKeptForIt_AndAbsentFromAnothers()
    {
        await using var h = await SandboxHarness.StartAsync();
        var plant = "mkdir -p ~/.claude && echo '{\"hooks\":\"evil\"}' > ~/.claude/planted.json && echo 'echo evil' >> ~/.bashrc; echo PLANT=$?; echo END";

        var (planted, plantOutput, _) = await h.RunBashAsync(plant, h.Spec("session-a"), "session-a");
        var (other, otherOutput, _) = await h.RunBashAsync("cat ~/.claude/planted.json; echo OTHER=$?; grep -c evil ~/.bashrc; echo END", h.Spec("session-b"), "session-b");
        var (again, againOutput, _) = await h.RunBashAsync("cat ~/.claude/planted.json; echo AGAIN=$?; echo END", h.Spec("session-a"), "session-a");

        Assert.True(planted.Status == CompletionStatus.Completed, planted.Error?.Message);
        Assert.Contains("PLANT=0", plantOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(h.HomeOf("session-a"), ".claude", "planted.json")));
        Assert.True(other.Status == CompletionStatus.Completed, other.Error?.Message);
        Assert.Contains("END", otherOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("OTHER=0", otherOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", otherOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(h.HomeOf("session-b"), ".claude", "planted.json")));
        Assert.True(again.Status == CompletionStatus.Completed, again.Error?.Message);
        Assert.Contains("AGAIN=0", againOutput, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task ANewHome_Is0700_AndSeededFromTheTemplate_WithoutFollowingItsSymlinks()
    {
        await using var h = await SandboxHarness.StartAsync();
        var template = Directory.CreateDirectory(Path.Combine(h.Root, "template")).FullName;
        await File.WriteAllTextAsync(Path.Combine(template, "CLAUDE.md"), "seeded-from-template\n");
        Directory.CreateDirectory(Path.Combine(template, ".claude"));
        await File.WriteAllTextAsync(Path.Combine(template, ".claude", "settings.json"), "{}\n");
        File.CreateSymbolicLink(Path.Combine(template, "escape"), h.AgorHome);
        var spec = h.Spec("session-new") with { HomeTemplate = template };

        var (completion, output, _) = await h.RunBashAsync("cat ~/CLAUDE.md; ls -A ~/.claude; ls ~/escape; echo END", spec, "session-new");

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.Contains("seeded-from-template", output, StringComparison.Ordinal);
        Assert.Contains("settings.json", output, StringComparison.Ordinal);
        Assert.DoesNotContain("config.yaml", output, StringComparison.Ordinal);
        var home = h.HomeOf("session-new");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home));
        Assert.False(File.Exists(Path.Combine(home, "escape")) || Directory.Exists(Path.Combine(home, "escape")));
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task AHomeThatIsASymlink_IsRefused_AndTheAgentNeverStarts()
    {
        await using var h = await SandboxHarness.StartAsync();
        Directory.CreateSymbolicLink(h.HomeOf("session-link"), h.AgorHome);

        var (completion, _, _) = await h.RunBashAsync("echo never", h.Spec("session-link"), "session-link");

        Assert.Equal(CompletionStatus.Failed, completion.Status);
        Assert.Equal("sandbox_unavailable", completion.Error?.Code);
        Assert.Contains("symlink", completion.Error?.Message, StringComparison.Ordinal);
        Assert.Empty(h.Prompt.Model.ConversationRequests);
    }
}

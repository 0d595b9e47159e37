using Agor.Protocol.Wire;

namespace Agor.Executor.Tests.Agents.Codex;

/// <summary>How the task's permission mode shapes Codex's questions (the scripted daemon denies whatever it is asked).</summary>
public sealed class CodexPermissionModeTests
{
    [SkippableFact(Timeout = 60_000)]
    public async Task AcceptEdits_AppliesAPatchWithoutAsking()
    {
        await using var harness = await CodexHarness.StartAsync();
        harness.Model.Script.EnqueueAddFile("notes.txt", "written by the agent\n").EnqueueText("Done.");

        var task = await harness.Daemon.ExecuteAsync("Write notes", harness.WorkingDirectory, permissionMode: "acceptEdits");
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.Equal("written by the agent\n", await File.ReadAllTextAsync(Path.Combine(harness.WorkingDirectory, "notes.txt")));
        Assert.Empty(harness.Daemon.PermissionRequests);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task Plan_RefusesAPatchWithoutAsking()
    {
        await using var harness = await CodexHarness.StartAsync();
        harness.Model.Script.EnqueueAddFile("notes.txt", "written by the agent\n").EnqueueText("Done.");

        var task = await harness.Daemon.ExecuteAsync("Write notes", harness.WorkingDirectory, permissionMode: "plan");
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.False(File.Exists(Path.Combine(harness.WorkingDirectory, "notes.txt")));
        Assert.Empty(harness.Daemon.PermissionRequests);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task BypassPermissions_RunsACommandWithoutAsking()
    {
        await using var harness = await CodexHarness.StartAsync();
        harness.Model.Script.EnqueueShellCommand("echo bypassed > out.txt").EnqueueText("Done.");

        var task = await harness.Daemon.ExecuteAsync("Write out.txt", harness.WorkingDirectory, permissionMode: "bypassPermissions");
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.Equal("bypassed\n", await File.ReadAllTextAsync(Path.Combine(harness.WorkingDirectory, "out.txt")));
        Assert.Empty(harness.Daemon.PermissionRequests);
    }
}

using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Prompts;

/// <summary>
/// Nothing of the agent outlives its executor, and the agent's files are usable by others: the
/// real Claude Code CLI runs a Bash command and writes files; the executor is SIGKILLed under it.
/// </summary>
public sealed class AgentLifetimeTests
{
    [SkippableFact(Timeout = 90_000)]
    public async Task ExecutorSigkilled_WhileTheAgentsBashSleeps_TheWholeTreeDies_AndTheFileIsNeverWritten()
    {
        await using var harness = await PromptHarness.StartAsync();
        var marker = Path.Combine(harness.WorkingDirectory, "written-after-death");
        var command = $"(setsid sh -c 'sleep 45; touch {marker}' &) ; sleep 45; touch {marker}";
        harness.Model.Script.EnqueueToolUse("Bash", new { command, description = "Wait, then write" }).EnqueueText("Done.");

        var task = await harness.Daemon.ExecuteAsync("Wait and write", harness.WorkingDirectory, "bypassPermissions");
        await harness.Daemon.WaitForMessageAsync(m => m.TaskId == task.TaskId && m.EventType == EventTypes.ToolCall);
        var tree = await ProcessTreeSnapshot.WaitForAsync(harness.Daemon.Executor.Pid, "sleep 45", count: 2, TimeSpan.FromSeconds(30));
        Assert.Contains(tree.Processes, p => p.CommandLine.Contains("claude", StringComparison.Ordinal));

        Assert.True(Signals.Send(harness.Daemon.Executor.Pid, Signals.SigKill));
        var survivors = await tree.WaitUntilAllGoneAsync(TimeSpan.FromSeconds(15));

        Assert.True(survivors.Count == 0, $"still running after the executor died: {string.Join("; ", survivors)}");
        Assert.False(File.Exists(marker));
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task AgentWrittenFiles_GetTheAgentUmask_WhileTheExecutorKeeps077()
    {
        await using var harness = await PromptHarness.StartAsync();
        var file = Path.Combine(harness.WorkingDirectory, "shared.txt");
        var directory = Path.Combine(harness.WorkingDirectory, "made-dir");
        harness.Model.Script
            .EnqueueToolUse("Write", new { file_path = file, content = "for everyone to read\n" })
            .EnqueueToolUse("Bash", new { command = $"mkdir {directory}", description = "Make a directory" })
            .EnqueueText("Done.");

        var task = await harness.Daemon.ExecuteAsync("Write a file", harness.WorkingDirectory, "bypassPermissions");
        var completion = await harness.Daemon.WaitForCompletionAsync(task.TaskId);

        Assert.Equal("completed", completion.Status);
        Assert.Equal(Convert.ToInt32("644", 8), (int)File.GetUnixFileMode(file));
        Assert.Equal(Convert.ToInt32("755", 8), (int)File.GetUnixFileMode(directory));
        Assert.Equal("0077", Umask(harness.Daemon.Executor.Pid));
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task AgentUmaskOption_IsWhatTheAgentGets()
    {
        await using var harness = await PromptHarness.StartAsync(o => o with { ExecutorArguments = ["--agent-umask", "027"] });
        var file = Path.Combine(harness.WorkingDirectory, "group.txt");
        harness.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "group only\n" }).EnqueueText("Done.");

        var task = await harness.Daemon.ExecuteAsync("Write a file", harness.WorkingDirectory, "bypassPermissions");
        Assert.Equal("completed", (await harness.Daemon.WaitForCompletionAsync(task.TaskId)).Status);

        Assert.Equal(Convert.ToInt32("640", 8), (int)File.GetUnixFileMode(file));
    }

    private static string Umask(int pid) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Umask:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
}

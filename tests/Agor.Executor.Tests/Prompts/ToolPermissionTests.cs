using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Prompts;

/// <summary>
/// <c>tools</c> says what the agent may use at all; it never pre-approves. Before, the executor
/// passed it as <c>--allowedTools</c> and a Write listed there ran in <c>default</c> mode unasked.
/// </summary>
public sealed class ToolPermissionTests
{
    [SkippableFact(Timeout = 60_000)]
    public async Task DefaultMode_WithToolsWrite_AsksBeforeTheWrite_AndADenialKeepsTheFileAway()
    {
        await using var harness = await PromptHarness.StartAsync();
        var file = Path.Combine(harness.WorkingDirectory, "unasked.txt");
        harness.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "x\n" }).EnqueueText("Done.");

        var taskId = await ExecuteAsync(harness, tools: ["Write"], preApproved: []);
        var completion = await harness.Daemon.WaitForCompletionAsync(taskId);

        Assert.Equal("completed", completion.Status);
        var asked = Assert.Single(harness.Daemon.PermissionRequests);
        Assert.Equal("Write", asked.ToolName);
        Assert.False(File.Exists(file), "the Write ran although the daemon denied it");
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task PreApprovedTools_TheDaemonsExplicitField_RunsWithoutAsking()
    {
        await using var harness = await PromptHarness.StartAsync();
        var file = Path.Combine(harness.WorkingDirectory, "approved.txt");
        harness.Model.Script.EnqueueToolUse("Write", new { file_path = file, content = "y\n" }).EnqueueText("Done.");

        var taskId = await ExecuteAsync(harness, tools: ["Write"], preApproved: ["Write"]);
        var completion = await harness.Daemon.WaitForCompletionAsync(taskId);

        Assert.Equal("completed", completion.Status);
        Assert.Empty(harness.Daemon.PermissionRequests);
        Assert.Equal("y\n", await File.ReadAllTextAsync(file));
    }

    private static async Task<string> ExecuteAsync(PromptHarness harness, IReadOnlyList<string> tools, IReadOnlyList<string> preApproved)
    {
        var parameters = new ExecutePromptParams
        {
            SessionToken = harness.Daemon.Options.SessionToken,
            SessionId = "session-1",
            TaskId = $"task-{Guid.NewGuid():N}"[..13],
            Prompt = "Write the file",
            Cwd = harness.WorkingDirectory,
            PermissionMode = "default",
            Tools = tools,
            PreApprovedTools = preApproved,
        };
        var accepted = await harness.Daemon.Peer.InvokeAsync(Methods.ExecutePrompt, parameters, TimeSpan.FromSeconds(10));
        Assert.True(accepted.Accepted);
        return parameters.TaskId;
    }
}

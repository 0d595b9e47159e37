using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Agents.Gemini;

/// <summary>The Gemini CLI confined by bubblewrap: it starts (node and its script seen read-only), keeps its state in the session's agent home, and runs a tool inside.</summary>
public sealed class GeminiSandboxTests
{
    [SkippableFact(Timeout = 120_000)]
    public async Task InTheSandbox_TheShellToolRunsInside_AndTheStateStaysInTheSessionsAgentHome()
    {
        var bwrap = Bubblewrap.Require();
        await using var harness = await GeminiHarness.StartAsync(o => o with { DecidePermission = _ => Task.FromResult(new PermissionDecision(true)) });
        var root = Directory.CreateTempSubdirectory("agor-gemini-sbx-").FullName;
        try
        {
            var home = Path.Combine(root, "agent-homes", "session-1");
            harness.Model.Script.EnqueueShellCommand("echo \"home=$HOME\" && echo inside > shell.txt").EnqueueText("Done.");
            var parameters = new ExecutePromptParams
            {
                SessionToken = harness.Daemon.Options.SessionToken,
                SessionId = "session-1",
                TaskId = $"task-{Guid.NewGuid():N}"[..13],
                Prompt = "run it",
                Cwd = harness.WorkingDirectory,
                PermissionMode = "default",
                Sandbox = new SandboxSpec { Mode = SandboxModes.Required, BwrapPath = bwrap, AgentHome = home, Deny = [harness.Daemon.Home] },
            };
            var accepted = await harness.Daemon.Peer.InvokeAsync(Methods.ExecutePrompt, parameters, TimeSpan.FromSeconds(10));
            Assert.True(accepted.Accepted);
            var completion = await harness.Daemon.WaitForCompletionAsync(parameters.TaskId, TimeSpan.FromSeconds(90));

            Assert.Equal(CompletionStatus.Completed, completion.Status);
            Assert.True(completion.Sandbox?.Confined, completion.Sandbox?.Reason);
            var response = Assert.Single(harness.Model.ConversationRequests[1].FunctionResponses);
            Assert.Contains("home=/home/agent", response.Response, StringComparison.Ordinal);
            Assert.Equal("inside\n", await File.ReadAllTextAsync(Path.Combine(harness.WorkingDirectory, "shell.txt")));
            var settings = Path.Combine(home, ".gemini", "settings.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(settings));
            Assert.Contains("\"usageStatisticsEnabled\":false", await File.ReadAllTextAsync(settings), StringComparison.Ordinal);
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(home, ".gemini", "tmp"), "session-*.jsonl", SearchOption.AllDirectories));
            Assert.All(harness.Model.Requests, r => Assert.Equal(harness.ApiKey, r.ApiKey));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

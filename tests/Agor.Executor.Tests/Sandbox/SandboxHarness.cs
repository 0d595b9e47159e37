using Agor.Executor.Tests.Prompts;
using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Sandbox;

/// <summary>
/// A <see cref="PromptHarness"/> whose tasks carry a sandbox spec: a root for the sessions' agent
/// homes, and an AGOR_HOME-like directory (outside /tmp, so that only <c>deny</c> hides it) with a
/// secret in it. Runs one Bash command per task and returns what the agent saw.
/// </summary>
internal sealed class SandboxHarness : IAsyncDisposable
{
    private SandboxHarness(PromptHarness prompt, string bwrap)
    {
        Prompt = prompt;
        Bwrap = bwrap;
        Root = Directory.CreateTempSubdirectory("agor-sbx-").FullName;

        // Outside /tmp: the private /tmp must not be what hides it.
        AgorHome = Directory.CreateDirectory($"/var/tmp/agor-deny-{Guid.NewGuid():N}").FullName;
        File.WriteAllText(Path.Combine(AgorHome, "config.yaml"), "token: agor-secret-token\n");
        Homes = Directory.CreateDirectory(Path.Combine(Root, "agent-homes")).FullName;
    }

    public PromptHarness Prompt { get; }

    public string Bwrap { get; }

    public string Root { get; }

    public string AgorHome { get; }

    public string Homes { get; }

    public string WorkingDirectory => Prompt.WorkingDirectory;

    public static async Task<SandboxHarness> StartAsync(Func<Agor.Testing.Daemon.ScriptedDaemonOptions, Agor.Testing.Daemon.ScriptedDaemonOptions>? configure = null)
    {
        var bwrap = Bubblewrap.Require();
        return new SandboxHarness(await PromptHarness.StartAsync(configure), bwrap);
    }

    public string HomeOf(string sessionId) => Path.Combine(Homes, sessionId);

    public SandboxSpec Spec(string sessionId = "session-1", string mode = SandboxModes.Required) => new()
    {
        Mode = mode,
        BwrapPath = Bwrap,
        AgentHome = HomeOf(sessionId),
        Deny = [AgorHome, Prompt.Daemon.Home],
    };

    /// <summary>Runs <paramref name="command"/> as the agent's one Bash call; returns the completion and what the command printed.</summary>
    public async Task<(ReportCompletionParams Completion, string Output, string TaskId)> RunBashAsync(string command, SandboxSpec? spec, string sessionId = "session-1", string? cwd = null)
    {
        var before = Prompt.Model.ConversationRequests.SelectMany(r => r.ToolResults).Select(r => r.ToolUseId).ToHashSet(StringComparer.Ordinal);
        var taskId = await StartBashAsync(command, spec, sessionId, cwd);
        var completion = await Prompt.Daemon.WaitForCompletionAsync(taskId, TimeSpan.FromSeconds(90));
        var output = string.Join("\n", Prompt.Model.ConversationRequests.SelectMany(r => r.ToolResults).Where(r => !before.Contains(r.ToolUseId)).Select(r => r.Content).Distinct(StringComparer.Ordinal));
        return (completion, output, taskId);
    }

    /// <summary>Starts a task whose one Bash call is <paramref name="command"/>; returns its id.</summary>
    public async Task<string> StartBashAsync(string command, SandboxSpec? spec, string sessionId = "session-1", string? cwd = null)
    {
        Prompt.Model.Script.EnqueueToolUse("Bash", new { command, description = "Try it" }).EnqueueText("Done.");
        var parameters = new ExecutePromptParams
        {
            SessionToken = Prompt.Daemon.Options.SessionToken,
            SessionId = sessionId,
            TaskId = $"task-{Guid.NewGuid():N}"[..13],
            Prompt = "Run the command",
            Cwd = cwd ?? WorkingDirectory,
            PermissionMode = "bypassPermissions",
            Sandbox = spec,
        };
        var accepted = await Prompt.Daemon.Peer.InvokeAsync(Methods.ExecutePrompt, parameters, TimeSpan.FromSeconds(10));
        Assert.True(accepted.Accepted);
        return parameters.TaskId;
    }

    public async ValueTask DisposeAsync()
    {
        await Prompt.DisposeAsync();
        Directory.Delete(Root, recursive: true);
        Directory.Delete(AgorHome, recursive: true);
    }
}

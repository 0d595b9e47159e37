namespace Agor.Daemon.Tests.Sandbox;

/// <summary>A Bash prompt submitted and not yet waited for.</summary>
internal sealed record StartedBash(SandboxE2EHarness Harness, string SessionId, string TaskId, string ToolUseId, string Prompt)
{
    public async Task<BashRun> EndAsync(TimeSpan? timeout = null)
    {
        var task = await Harness.Inner.WaitForTaskEndAsync(TaskId, timeout ?? TimeSpan.FromSeconds(120));
        return new BashRun(SessionId, TaskId, Prompt, task, Harness.ToolResult(ToolUseId));
    }
}

using System.Text.Json;

namespace Agor.Daemon.Tests.Sandbox;

/// <summary>
/// One scripted prompt whose single tool call was a <c>Bash</c> command: the task as
/// <c>GET /tasks/{id}</c> shows it after its end, and what the agent saw (its tool result), null
/// when the command never ran (the agent was not started, or was killed first), and the prompt that asked for it.
/// </summary>
internal sealed record BashRun(string SessionId, string TaskId, string Prompt, JsonElement Task, string? Seen)
{
    public string? Status => Task.GetProperty("status").GetString();

    /// <summary>The task's error code, or null when it has no error.</summary>
    public string? ErrorCode => Task.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? error.GetProperty("code").GetString() : null;

    public string? ErrorMessage => Task.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? error.GetProperty("message").GetString() : null;

    /// <summary>The stored <c>SandboxReport</c> (snake_case); fails the spec when the task has none.</summary>
    public JsonElement Sandbox
    {
        get
        {
            Assert.True(Task.TryGetProperty("sandbox", out var sandbox) && sandbox.ValueKind == JsonValueKind.Object, $"task {TaskId} has no sandbox report: {Task}");
            return sandbox;
        }
    }

    /// <summary>What the agent saw; fails the spec when the command never ran.</summary>
    public string Output => Seen ?? throw new Xunit.Sdk.XunitException($"task {TaskId} ended {Status} ({ErrorCode}: {ErrorMessage}) without the Bash command's result reaching the model");
}

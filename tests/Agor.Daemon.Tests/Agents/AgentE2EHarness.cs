using System.Net.Http.Json;
using System.Text.Json;
using Agor.Daemon.Tests.Api;
using Agor.Testing.Daemon;

namespace Agor.Daemon.Tests.Agents;

/// <summary>
/// A real daemon configured for one of the non-Anthropic agents: its real CLI, its scripted model
/// server behind the daemon's gateway (the daemon holds the real key), the default sandbox.
/// </summary>
internal sealed class AgentE2EHarness : IAsyncDisposable
{
    private AgentE2EHarness(DaemonHarness inner, AgentModel model)
    {
        Inner = inner;
        Model = model;
    }

    public DaemonHarness Inner { get; }

    public AgentModel Model { get; }

    public static async Task<AgentE2EHarness> StartAsync(string agent)
    {
        var model = await AgentModel.StartAsync(agent);
        try
        {
            var inner = await DaemonHarness.StartAsync(o => o with { Credentials = model.CredentialLines, Agents = model.AgentLines });
            return new AgentE2EHarness(inner, model);
        }
        catch
        {
            await model.DisposeAsync();
            throw;
        }
    }

    /// <summary>A session of this agent in <paramref name="cwd"/> (the harness's working directory by default).</summary>
    public async Task<string> CreateSessionAsync(string? cwd = null, string permissionMode = "default")
    {
        var response = await Inner.Daemon.Http.PostAsJsonAsync("/sessions", new Dictionary<string, string>
        {
            ["cwd"] = cwd ?? Inner.WorkingDirectory,
            ["agent"] = Model.Agent,
            ["permission_mode"] = permissionMode,
        });
        var session = await DaemonProcess.ReadAsync(response, 201);
        Assert.Equal(Model.Agent, session.GetProperty("agent").GetString());
        return session.GetProperty("id").GetString()!;
    }

    /// <summary>Answers the task's next permission request; returns it as it was asked.</summary>
    public async Task<JsonElement> DecideNextAsync(string taskId, bool allow)
    {
        var asked = await Inner.Events.WaitForAsync(e => e.Type == "permission.requested" && e.Str("task_id") == taskId);
        await Inner.Daemon.PostAsync($"/permissions/{asked.Str("id")}", new { decision = allow ? "allow" : "deny", reason = allow ? null : "Not in this repository." });
        return asked.Data;
    }

    /// <summary>The content deltas the event stream carried for the task.</summary>
    public int DeltasOf(string taskId) =>
        Inner.Events.Events.Count(e => e.Type == "message.delta" && e.Str("task_id") == taskId && e.Str("event_type") == "content_block_delta");

    public async ValueTask DisposeAsync()
    {
        await Inner.DisposeAsync();
        await Model.DisposeAsync();
    }
}

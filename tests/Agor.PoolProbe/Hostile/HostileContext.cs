using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agor.PoolProbe.Hostile;

/// <summary>What a hostile script works with: the connection, the task it was given, and a record of what happened.</summary>
internal sealed class HostileContext(HostileConnection connection, HostileOptions options, HostileRecord record)
{
    public HostileConnection Connection { get; } = connection;

    public HostileOptions Options { get; } = options;

    public HostileRecord Record { get; } = record;

    /// <summary>The params of the <c>execute_prompt</c> being served.</summary>
    public JsonElement Task { get; set; }

    public string Token => Task.GetProperty("session_token").GetString()!;

    public string TaskId => Task.GetProperty("task_id").GetString()!;

    /// <summary>The script's run on <c>execute_prompt</c>; a <c>shutdown</c> waits (a little) for it, so its last answers are recorded.</summary>
    public Task ScriptRun { get; set; } = System.Threading.Tasks.Task.CompletedTask;

    /// <summary>Completes when the daemon sends <c>stop_task</c>.</summary>
    public TaskCompletionSource StopRequested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A <c>report_message</c> as the real executor sends it.</summary>
    public JsonObject Message(long sequence, JsonNode? eventData, string eventType = "system") => new()
    {
        ["session_token"] = Token,
        ["task_id"] = TaskId,
        ["sequence"] = sequence,
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        ["event_type"] = eventType,
        ["event_data"] = eventData,
    };

    /// <summary>Sends <c>report_completion</c>; returns "ok" or the error code.</summary>
    public Task<string> CompleteAsync(string status = "completed") =>
        Connection.CallAsync("report_completion", new JsonObject { ["session_token"] = Token, ["task_id"] = TaskId, ["status"] = status });
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agor.PoolProbe.Hostile;

/// <summary>Executors that report wrongly: missing fields, twice, out of order, after the end.</summary>
internal static class ReportingScripts
{
    /// <summary>Waits for a stop (then reports cancelled) or, without one, completes after a message.</summary>
    public static async Task StopAwareAsync(HostileContext context, JsonElement? id)
    {
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });
        if (await Task.WhenAny(context.StopRequested.Task, Task.Delay(TimeSpan.FromMilliseconds(1500))) == context.StopRequested.Task)
        {
            context.Record.Write("outcome", $"{context.TaskId}:cancelled");
            await context.CompleteAsync("cancelled");
            return;
        }

        await context.Connection.NotifyAsync("report_message", context.Message(1, new JsonObject { ["text"] = "ran" }));
        context.Record.Write("outcome", $"{context.TaskId}:completed");
        await context.CompleteAsync();
    }

    /// <summary>report_message without event_data, without event_type, without task_id; then a good one and a completion.</summary>
    public static async Task MissingFieldsAsync(HostileContext context, JsonElement? id)
    {
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });
        var noData = context.Message(1, null);
        noData.Remove("event_data");
        await context.Connection.NotifyAsync("report_message", noData);
        var noType = context.Message(2, new JsonObject { ["text"] = "no type" });
        noType.Remove("event_type");
        await context.Connection.NotifyAsync("report_message", noType);
        var noTask = context.Message(3, new JsonObject { ["text"] = "no task" });
        noTask.Remove("task_id");
        await context.Connection.NotifyAsync("report_message", noTask);
        await context.Connection.NotifyAsync("report_message", context.Message(4, new JsonObject { ["text"] = "good" }));
        context.Record.Write("completion", await context.CompleteAsync());
    }

    /// <summary>Completes twice; records both answers.</summary>
    public static async Task DoubleCompletionAsync(HostileContext context, JsonElement? id)
    {
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });
        context.Record.Write("first_completion", await context.CompleteAsync());
        context.Record.Write("second_completion", await context.CompleteAsync("failed"));
    }

    /// <summary>Completes, then at once (before the daemon has written anything) asks for a key and a permission with the same token, and reports a message.</summary>
    public static async Task AfterCompletionAsync(HostileContext context, JsonElement? id)
    {
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });
        await context.Connection.NotifyAsync("report_message", context.Message(1, new JsonObject { ["text"] = "before" }));
        context.Record.Write("completion", await context.CompleteAsync());
        context.Record.Write("key_after_completion", await context.Connection.CallAsync("get_api_key", new JsonObject { ["session_token"] = context.Token, ["service"] = "anthropic" }));
        context.Record.Write("permission_after_completion", await context.Connection.CallAsync("request_permission", new JsonObject
        {
            ["session_token"] = context.Token,
            ["task_id"] = context.TaskId,
            ["tool_name"] = "Bash",
            ["tool_input"] = new JsonObject { ["command"] = "true" },
        }));
        await context.Connection.NotifyAsync("report_message", context.Message(2, new JsonObject { ["text"] = "after" }));
        context.Record.Write("done", context.TaskId);
    }

    /// <summary>Sequences 1, 2, 2, 1, 3: a repeat and a step back between good ones.</summary>
    public static async Task SequenceReplayAsync(HostileContext context, JsonElement? id)
    {
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });
        var order = 0;
        foreach (var sequence in new long[] { 1, 2, 2, 1, 3 })
        {
            await context.Connection.NotifyAsync("report_message", context.Message(sequence, new JsonObject { ["sent"] = ++order }));
        }

        context.Record.Write("completion", await context.CompleteAsync());
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Agor.Cli.Output;

namespace Agor.Cli.Commands;

/// <summary><c>agor task list|show|follow|stop</c>.</summary>
internal static class TaskCommands
{
    public static Command Create() => new("task", "List, show, follow and stop tasks (one prompt each).")
    {
        ListCommand(),
        TaskShowCommand.Create(),
        TaskFollowCommand.Create(),
        StopCommand(),
    };

    private static Command ListCommand()
    {
        var session = new Argument<string>("session") { Description = "The session's id (ses_…)." };
        var json = JsonOption.Create();
        var command = new Command("list", "List a session's tasks, oldest first.") { session, json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var tasks = await client.GetAllAsync($"/sessions/{Uri.EscapeDataString(parse.GetValue(session)!)}/tasks", cancellationToken);
            if (parse.GetValue(json))
            {
                Tables.WriteJson(tasks.Raw);
            }
            else
            {
                // Why a task failed gets its column only when one did.
                var failed = tasks.Json.ValueKind == JsonValueKind.Array && tasks.Json.EnumerateArray().Any(t => TaskSummary.Error(t) is not null);
                string[] headers = ["ID", "STATUS", "CREATED", "TOKENS IN/OUT", "COST", "PROMPT"];
                Tables.Write(
                    tasks.Json,
                    "no tasks in this session yet; send one with `agor prompt`",
                    failed ? [.. headers, "WHY IT FAILED"] : headers,
                    t =>
                    {
                        string[] cells = [t.Text("id"), t.Text("status"), t.Time("created_at"), Tokens(t), Cost(t), JsonFields.Shorten(t.Text("prompt"), 40)];
                        return failed ? [.. cells, JsonFields.Shorten(TaskSummary.Error(t) ?? string.Empty, 70)] : cells;
                    });
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command StopCommand()
    {
        var task = new Argument<string>("task") { Description = "The task's id (task_…)." };
        var json = JsonOption.Create();
        var command = new Command("stop", "Stop a queued or running task.") { task, json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var stopped = await client.PostAsync($"/tasks/{Uri.EscapeDataString(parse.GetValue(task)!)}/stop", null, cancellationToken);
            if (parse.GetValue(json))
            {
                Tables.WriteJson(stopped.Raw);
            }
            else
            {
                Console.Out.WriteLine($"task {stopped.Json.Text("id")}: {stopped.Json.Text("status")}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static string Tokens(JsonElement task)
    {
        var usage = task.Member("token_usage");
        return usage.ValueKind == JsonValueKind.Object
            ? string.Create(CultureInfo.InvariantCulture, $"{usage.Number("input_tokens") ?? 0:N0}/{usage.Number("output_tokens") ?? 0:N0}")
            : string.Empty;
    }

    public static string Cost(JsonElement task) =>
        task.Member("cost_usd") is { ValueKind: JsonValueKind.Number } cost
            ? string.Create(CultureInfo.InvariantCulture, $"${cost.GetDouble():0.0000}")
            : string.Empty;
}

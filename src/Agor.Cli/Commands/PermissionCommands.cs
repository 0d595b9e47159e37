using System.CommandLine;
using System.Text.Json.Nodes;
using Agor.Cli.Output;
using Agor.Cli.Prompt;

namespace Agor.Cli.Commands;

/// <summary><c>agor permission list|allow|deny</c>: what agents asked to do, and the answer.</summary>
internal static class PermissionCommands
{
    public static Command Create() => new("permission", "List and answer agents' permission requests.")
    {
        ListCommand(),
        DecideCommand("allow", "Allow a pending request."),
        DecideCommand("deny", "Deny a pending request (the agent is told, with the reason)."),
    };

    private static Command ListCommand()
    {
        var all = new Option<bool>("--all") { Description = "Every request, not only the pending ones." };
        var json = JsonOption.Create();
        var command = new Command("list", "List pending permission requests.") { all, json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var requests = await client.GetAllAsync(parse.GetValue(all) ? "/permissions" : "/permissions?status=pending", cancellationToken);
            if (parse.GetValue(json))
            {
                Tables.WriteJson(requests.Raw);
            }
            else
            {
                Tables.Write(
                    requests.Json,
                    parse.GetValue(all) ? "no permission requests yet" : "no pending permission requests",
                    ["ID", "STATUS", "TOOL", "INPUT", "TASK", "ASKED"],
                    p => [p.Text("id"), p.Text("status"), p.Text("tool_name"), ToolSummary.Describe(p.Member("tool_input"), null, 40), p.Text("task_id"), p.Time("created_at")]);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command DecideCommand(string decision, string description)
    {
        var id = new Argument<string>("id") { Description = "The request's id (perm_…)." };
        var reason = new Option<string>("--reason") { Description = "Why; the agent is told." };
        var json = JsonOption.Create();
        var command = new Command(decision, description) { id, reason, json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var body = new JsonObject { ["decision"] = decision, ["reason"] = parse.GetValue(reason) };
            var decided = await client.PostAsync($"/permissions/{Uri.EscapeDataString(parse.GetValue(id)!)}", body, cancellationToken);
            if (parse.GetValue(json))
            {
                Tables.WriteJson(decided.Raw);
            }
            else
            {
                Console.Out.WriteLine($"{decided.Json.Text("status")}: {decided.Json.Text("tool_name")} {ToolSummary.Describe(decided.Json.Member("tool_input"), null, 60)} ({decided.Json.Text("id")})");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}

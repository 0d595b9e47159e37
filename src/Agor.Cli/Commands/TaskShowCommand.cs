using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agor.Cli.Client;
using Agor.Cli.Output;
using Agor.Cli.Prompt;

namespace Agor.Cli.Commands;

/// <summary>
/// <c>agor task show ID [--json]</c>: the task's status, error, usage and cost, every network
/// connection its agent made or tried, then its transcript.
/// </summary>
internal static class TaskShowCommand
{
    public static Command Create()
    {
        var task = new Argument<string>("task") { Description = "The task's id (task_…)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object {task, egress, messages} instead (for scripts)." };
        var command = new Command("show", "Show one task: status, error, usage, network connections and transcript.") { task, json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var id = parse.GetValue(task)!;
            var shown = await client.GetAsync($"/tasks/{Uri.EscapeDataString(id)}", cancellationToken);
            var egress = await client.GetAllAsync($"/tasks/{Uri.EscapeDataString(id)}/egress", cancellationToken);
            var sessionId = shown.Json.Text("session_id");
            var messages = await TaskMessages.ListAsync(client, sessionId, id, cancellationToken);
            if (parse.GetValue(json))
            {
                var whole = new JsonObject
                {
                    ["task"] = JsonNode.Parse(shown.Raw),
                    ["egress"] = JsonNode.Parse(egress.Raw),
                    ["messages"] = messages,
                };
                Tables.WriteJson(whole.ToJsonString());
                return ExitCodes.Ok;
            }

            Tables.WriteDetails(TaskSummary.Details(shown.Json));
            WriteEgress(egress.Json);
            var cwd = await SessionDirectoryAsync(client, sessionId, cancellationToken);
            await WriteTranscriptAsync(shown.Json, messages, cwd);
            return ExitCodes.Ok;
        });
        return command;
    }

    // The proxy's connections, then the model requests the gateway forwarded (kind "model"), each counted apart.
    private static void WriteEgress(JsonElement egress)
    {
        var all = egress.ValueKind == JsonValueKind.Array ? egress.EnumerateArray().ToList() : [];

        // The gateway records the task's model requests too: counted apart from the agent's own connections.
        var models = all.Where(c => c.Text("kind") == "model").ToList();
        var connections = all.Where(c => c.Text("kind") != "model").ToList();
        Console.Out.WriteLine();
        if (connections.Count == 0)
        {
            Console.Out.WriteLine("network: no network connections");
        }
        else
        {
            var refused = connections.Count(c => c.Member("allowed").ValueKind != JsonValueKind.True);
            Console.Out.WriteLine($"network: {connections.Count} connection{(connections.Count == 1 ? string.Empty : "s")}, {refused} refused");
            foreach (var connection in connections)
            {
                Console.Out.WriteLine("  " + EgressLine.Describe(connection));
            }
        }

        if (models.Count > 0)
        {
            var refused = models.Count(c => c.Member("allowed").ValueKind != JsonValueKind.True);
            Console.Out.WriteLine($"model: {models.Count} request{(models.Count == 1 ? string.Empty : "s")} through the gateway, {refused} refused");
            foreach (var request in models)
            {
                Console.Out.WriteLine("  " + EgressLine.Describe(request));
            }
        }
    }

    private static async Task WriteTranscriptAsync(JsonElement task, JsonArray messages, string? cwd)
    {
        Console.Out.WriteLine();
        Console.Out.WriteLine("transcript:");
        Console.Out.WriteLine("> " + task.Text("prompt").ReplaceLineEndings("\n> "));

        // The renderer of `agor prompt`, fed the stored messages, with its notes on stdout beside the text.
        await using var spinner = new Spinner(enabled: false);
        var transcript = new TaskTranscript(spinner, cwd, Console.Out);
        foreach (var message in messages)
        {
            using var document = JsonDocument.Parse(message!.ToJsonString());
            transcript.OnMessage(document.RootElement);
        }

        if (messages.Count == 0)
        {
            transcript.Note("(no messages)");
        }

        transcript.EndMessage();
    }

    /// <summary>The session's directory, so paths in tool calls read relative to it; null when the session is gone.</summary>
    private static async Task<string?> SessionDirectoryAsync(DaemonClient client, string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetAsync($"/sessions/{Uri.EscapeDataString(sessionId)}", cancellationToken)).Json.Text("cwd");
        }
        catch (CliException)
        {
            return null;
        }
    }
}

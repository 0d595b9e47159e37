using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agor.Cli.Client;
using Agor.Cli.Output;
using Agor.Cli.Runtime;

namespace Agor.Cli.Commands;

/// <summary><c>agor daemon status</c>: running or not, pid, address, version, executors busy, the sandbox and what the daemon found at start (agent, key, impersonation; a warning line for each missing, and when agents run unconfined or are refused); exit 3 when not running.</summary>
internal static class DaemonStatusCommand
{
    public static Command Create()
    {
        var json = JsonOption.Create();
        var command = new Command("status", "Say whether the daemon runs, where, which version, and how busy it is.") { json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            var home = CliEnvironment.Home;
            var files = new DaemonRuntimeFiles(home.Path);
            var running = files.ReadRunning();
            var status = new JsonObject { ["running"] = false, ["pid"] = running?.Pid, ["log"] = files.LogPath };
            try
            {
                using var client = CliEnvironment.CreateClient();
                status["address"] = client.Address;
                var health = await client.GetAsync("/health", cancellationToken);
                status["running"] = true;
                status["version"] = health.Json.Text("version");
                var sandbox = health.Json.Member("sandbox");
                status["sandbox"] = sandbox.ValueKind == JsonValueKind.Object ? JsonNode.Parse(sandbox.GetRawText()) : null;
                var checks = health.Json.Member("checks");
                status["checks"] = checks.ValueKind == JsonValueKind.Array ? JsonNode.Parse(checks.GetRawText()) : null;
                var executors = (await client.GetAsync("/executors", cancellationToken)).Json;
                var all = executors.ValueKind == JsonValueKind.Array ? executors.EnumerateArray().ToList() : [];
                status["executors"] = all.Count;
                status["executors_busy"] = all.Count(e => e.Text("state") == "busy");
            }
            catch (CliException ex) when (!(bool)status["running"]!)
            {
                status["error"] = ex.Message;
            }

            var isRunning = (bool)status["running"]!;
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(status.ToJsonString());
            }
            else if (isRunning)
            {
                Console.Out.WriteLine("agor daemon: running");
                Tables.WriteDetails(
                [
                    ("pid", running?.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown (not started by `agor daemon start`)"),
                    ("address", (string?)status["address"] ?? string.Empty),
                    ("version", (string?)status["version"] ?? string.Empty),
                    ("executors", $"{(int?)status["executors_busy"]} busy of {(int?)status["executors"]}"),
                    ("home", home.Path),
                    ("log", files.LogPath),
                    ("sandbox", SandboxSummary.Describe(SandboxOf(status))),
                    .. ChecksOf(status).Where(c => c.Name != "sandbox").Select(c => (c.Name, (c.Ok ? "ok: " : "MISSING: ") + c.Detail)),
                ]);
                if (SandboxSummary.Warning(SandboxOf(status)) is { } warning)
                {
                    Console.Out.WriteLine($"WARNING: {warning}");
                }

                foreach (var check in ChecksOf(status).Where(c => !c.Ok && c.Name != "sandbox"))
                {
                    Console.Out.WriteLine($"WARNING: {check.Detail}; fix: {check.Fix}");
                }
            }
            else
            {
                Console.Out.WriteLine((string?)status["error"] ?? "the daemon is not running");
            }

            return isRunning ? ExitCodes.Ok : ExitCodes.NotRunning;
        });
        return command;
    }

    /// <summary>What the daemon found at start (<c>/health</c> <c>checks</c>); none from an older daemon.</summary>
    private static IEnumerable<(string Name, bool Ok, string Detail, string? Fix)> ChecksOf(JsonObject status) =>
        status["checks"] is JsonArray checks
            ? checks.OfType<JsonObject>().Select(c => ((string?)c["name"] ?? "?", (bool?)c["ok"] ?? false, (string?)c["detail"] ?? string.Empty, (string?)c["fix"]))
            : [];

    private static JsonElement SandboxOf(JsonObject status) =>
        status["sandbox"] is JsonObject sandbox ? JsonDocument.Parse(sandbox.ToJsonString()).RootElement : default;
}

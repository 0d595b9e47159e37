using System.CommandLine;
using System.Text.Json.Nodes;
using Agor.Cli.Output;

namespace Agor.Cli.Commands;

/// <summary><c>agor session create|list|show|rename|delete</c>.</summary>
internal static class SessionCommands
{
    private static readonly string[] Modes = ["default", "acceptEdits", "bypassPermissions", "plan"];

    public static Command Create() => new("session", "Create and inspect sessions (an agent working in one directory).")
    {
        CreateCommand(),
        ListCommand(),
        ShowCommand(),
        RenameCommand(),
        DeleteCommand(),
    };

    private static Command CreateCommand()
    {
        var cwd = new Option<string>("--cwd") { Description = "The agent's working directory (default: the current directory)." };
        var mode = new Option<string>("--permission-mode") { Description = "default, acceptEdits, bypassPermissions or plan (default: default)." };
        mode.AcceptOnlyFromAmong(Modes);
        var title = new Option<string>("--title") { Description = "A title to recognise the session by." };
        var agent = new Option<string>("--agent") { Description = "claude-code, codex or gemini (default: claude-code)." };
        agent.AcceptOnlyFromAmong([.. Agor.Daemon.Configuration.AgentSettings.Names]);
        var model = new Option<string>("--model") { Description = "The model the agent uses (default: the agent's own)." };
        var unixUser = new Option<string>("--unix-user") { Description = "Run this session's executors as this Unix user (with run_as_unix_user)." };
        var json = JsonOption.Create();
        var command = new Command("create", "Create a session.") { cwd, agent, mode, title, model, unixUser, json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            var directory = Path.GetFullPath(parse.GetValue(cwd) ?? Environment.CurrentDirectory);
            var body = new JsonObject
            {
                ["cwd"] = directory,
                ["agent"] = parse.GetValue(agent),
                ["permission_mode"] = parse.GetValue(mode),
                ["title"] = parse.GetValue(title),
                ["model"] = parse.GetValue(model),
                ["unix_user"] = parse.GetValue(unixUser),
            };
            using var client = CliEnvironment.CreateClient();
            var created = await client.PostAsync("/sessions", body, cancellationToken);
            if (parse.GetValue(json))
            {
                Tables.WriteJson(created.Raw);
            }
            else
            {
                var session = created.Json;
                Console.Out.WriteLine($"created session {session.Text("id")} in {session.Text("cwd")} ({session.Text("agent")}, permission mode {session.Text("permission_mode")})");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var json = JsonOption.Create();
        var command = new Command("list", "List sessions.") { json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var sessions = await client.GetAllAsync("/sessions", cancellationToken);
            if (parse.GetValue(json))
            {
                Tables.WriteJson(sessions.Raw);
            }
            else
            {
                Tables.Write(
                    sessions.Json,
                    "no sessions yet; create one with `agor session create`",
                    ["ID", "STATUS", "MODE", "TITLE", "CWD", "CREATED"],
                    s => [s.Text("id"), s.Text("status"), s.Text("permission_mode"), JsonFields.Shorten(s.Text("title"), 30), s.Text("cwd"), s.Time("created_at")]);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RenameCommand()
    {
        var id = new Argument<string>("id") { Description = "The session's id (ses_…)." };
        var name = new Argument<string>("name") { Description = "The new title (\"\" removes it)." };
        var json = JsonOption.Create();
        var command = new Command("rename", "Give a session a new title.") { id, name, json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var renamed = await client.SendAsync(
                HttpMethod.Patch,
                $"/sessions/{Uri.EscapeDataString(parse.GetValue(id)!)}",
                new JsonObject { ["title"] = parse.GetValue(name) },
                cancellationToken);
            if (parse.GetValue(json))
            {
                Tables.WriteJson(renamed.Raw);
            }
            else
            {
                var title = renamed.Json.Text("title");
                Console.Out.WriteLine(title.Length > 0 ? $"session {renamed.Json.Text("id")}: renamed to \"{title}\"" : $"session {renamed.Json.Text("id")}: untitled");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command DeleteCommand()
    {
        var id = new Argument<string>("id") { Description = "The session's id (ses_…)." };
        var command = new Command("delete", "Delete an idle session: its tasks, messages and agent home.") { id };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var session = parse.GetValue(id)!;
            await client.SendAsync(HttpMethod.Delete, $"/sessions/{Uri.EscapeDataString(session)}", null, cancellationToken);
            Console.Out.WriteLine($"session {session}: deleted");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ShowCommand()
    {
        var id = new Argument<string>("id") { Description = "The session's id (ses_…)." };
        var json = JsonOption.Create();
        var command = new Command("show", "Show one session.") { id, json };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using var client = CliEnvironment.CreateClient();
            var session = await client.GetAsync($"/sessions/{Uri.EscapeDataString(parse.GetValue(id)!)}", cancellationToken);
            if (parse.GetValue(json))
            {
                Tables.WriteJson(session.Raw);
                return ExitCodes.Ok;
            }

            var s = session.Json;
            Tables.WriteDetails(
            [
                ("id", s.Text("id")),
                ("status", s.Text("status")),
                ("cwd", s.Text("cwd")),
                ("agent", s.Text("agent")),
                ("title", s.Text("title")),
                ("permission mode", s.Text("permission_mode")),
                ("model", s.Text("model")),
                ("unix user", s.Text("unix_user")),
                ("agent session", s.Text("agent_session_id")),
                ("created", s.Time("created_at")),
                ("updated", s.Time("updated_at")),
            ]);
            return ExitCodes.Ok;
        });
        return command;
    }
}

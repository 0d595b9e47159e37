using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Agor.Cli.Output;
using Agor.Cli.Prompt;

namespace Agor.Cli.Commands;

/// <summary><c>agor prompt SESSION "text"</c>: submits a prompt and follows the task live.</summary>
internal static class PromptCommand
{
    public static Command Create()
    {
        var session = new Argument<string>("session") { Description = "The session's id (ses_…)." };
        var text = new Argument<string>("text") { Description = "What to ask the agent." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Allow every permission request of this task without asking." };
        var noWait = new Option<bool>("--no-wait") { Description = "Print the new task's id and return at once." };
        var mode = new Option<string>("--permission-mode") { Description = "This prompt's permission mode instead of the session's." };
        mode.AcceptOnlyFromAmong("default", "acceptEdits", "bypassPermissions", "plan");
        var model = new Option<string>("--model") { Description = "This prompt's model instead of the session's (e.g. claude-sonnet-4-5)." };
        var command = new Command("prompt", "Send a prompt to a session and follow the task live (Ctrl-C stops it).") { session, text, yes, noWait, mode, model };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            var sessionId = parse.GetValue(session)!;
            using var client = CliEnvironment.CreateClient();
            if (parse.GetValue(noWait))
            {
                var task = await client.PostAsync(
                    $"/sessions/{Uri.EscapeDataString(sessionId)}/prompt",
                    new JsonObject { ["prompt"] = parse.GetValue(text), ["permission_mode"] = parse.GetValue(mode), ["model"] = parse.GetValue(model) },
                    cancellationToken);
                Console.Out.WriteLine(task.Json.Text("id"));
                return ExitCodes.Ok;
            }

            // Ctrl-C (and SIGTERM) stop the task rather than leaving it running unattended.
            using var interrupted = new CancellationTokenSource();
            void Interrupt(PosixSignalContext context)
            {
                context.Cancel = true;
                interrupted.Cancel();
            }

            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
            return await new PromptRun(client, sessionId, parse.GetValue(yes)).RunAsync(parse.GetValue(text)!, parse.GetValue(mode), parse.GetValue(model), interrupted.Token);
        });
        return command;
    }
}

using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Agor.Cli.Client;
using Agor.Cli.Output;
using Agor.Cli.Prompt;

namespace Agor.Cli.Commands;

/// <summary>
/// <c>agor task follow ID [--yes]</c>: a task sent with <c>prompt --no-wait</c> (or from the page),
/// followed live as <c>agor prompt</c> does: what it did so far, then what it does, its permission
/// questions asked here, to its end. Ctrl-C stops following; the task goes on.
/// </summary>
internal static class TaskFollowCommand
{
    public static Command Create()
    {
        var task = new Argument<string>("task") { Description = "The task's id (task_…)." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Allow every permission request of this task without asking." };
        var command = new Command("follow", "Follow a task live to its end, answering its permission requests (Ctrl-C stops following, not the task).") { task, yes };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using var detached = new CancellationTokenSource();
            void Detach(PosixSignalContext context)
            {
                context.Cancel = true;
                detached.Cancel();
            }

            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Detach);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Detach);
            using var client = CliEnvironment.CreateClient();
            return await FollowAsync(client, parse.GetValue(task)!, parse.GetValue(yes), detached.Token);
        });
        return command;
    }

    private static async Task<int> FollowAsync(DaemonClient client, string taskId, bool allowAll, CancellationToken detached)
    {
        var shown = await client.GetAsync($"/tasks/{Uri.EscapeDataString(taskId)}", CancellationToken.None);
        var sessionId = shown.Json.Text("session_id");
        var session = await client.GetAsync($"/sessions/{Uri.EscapeDataString(sessionId)}", CancellationToken.None);
        var cwd = session.Json.Text("cwd");

        // The stream first, then what is stored: a message or request that comes in between is in
        // both, and shown once.
        var stream = await client.OpenEventsAsync(sessionId, null, CancellationToken.None);
        await using var spinner = new Spinner(enabled: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
        var transcript = new TaskTranscript(spinner, cwd);
        try
        {
            transcript.Note(Paint.Dim("> " + shown.Json.Text("prompt").ReplaceLineEndings("\n> "), transcript.Colored));
            var current = await client.GetAsync($"/tasks/{Uri.EscapeDataString(taskId)}", CancellationToken.None);
            await using var questions = new PermissionQuestions(client, transcript, new AnswerReader(), cwd, allowAll);
            var follower = new TaskFollower(client, sessionId, taskId, transcript, questions);
            var messages = await TaskMessages.ListAsync(client, sessionId, taskId, CancellationToken.None);
            long last = 0;
            foreach (var message in messages)
            {
                using var document = JsonDocument.Parse(message!.ToJsonString());
                follower.OnMessage(document.RootElement);
                last = Math.Max(last, document.RootElement.Number("sequence") ?? 0);
            }

            follower.JoinAfter(last);
            JsonElement final;
            if (TaskFollower.IsFinal(current.Json.Text("status")))
            {
                final = current.Json;
            }
            else
            {
                var pending = await client.GetAllAsync("/permissions?status=pending", CancellationToken.None);
                foreach (var request in pending.Json.EnumerateArray().Where(p => p.Text("task_id") == taskId))
                {
                    questions.OnRequested(request);
                }

                transcript.OnStatus(current.Json.Text("status"));
                try
                {
                    final = await follower.FollowAsync(stream, detached);
                }
                catch (OperationCanceledException) when (detached.IsCancellationRequested)
                {
                    transcript.Note($"stopped following; task {taskId} goes on (`agor task stop {taskId}` stops it)");
                    return ExitCodes.Interrupted;
                }
            }

            transcript.Finish(final);
            return final.Text("status") == "completed" ? ExitCodes.Ok : ExitCodes.Failed;
        }
        finally
        {
            stream.Dispose();
        }
    }
}

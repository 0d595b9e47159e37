using System.Text.Json;
using System.Text.Json.Nodes;
using Agor.Cli.Client;
using Agor.Cli.Commands;
using Agor.Cli.Output;

namespace Agor.Cli.Prompt;

/// <summary>
/// One <c>agor prompt</c>: the session's event stream is opened first (so nothing is missed), the
/// prompt submitted, then the task followed to its end, answering its permission requests.
/// </summary>
internal sealed class PromptRun(DaemonClient client, string sessionId, bool allowAll)
{
    private string _taskId = string.Empty;

    /// <summary>Runs the prompt; <paramref name="interrupted"/> (Ctrl-C) stops the task. Returns the exit code.</summary>
    public async Task<int> RunAsync(string prompt, string? permissionMode, string? model, CancellationToken interrupted)
    {
        var session = await client.GetAsync($"/sessions/{Uri.EscapeDataString(sessionId)}", CancellationToken.None);
        var cwd = session.Json.Text("cwd");
        var stream = await client.OpenEventsAsync(sessionId, null, CancellationToken.None);
        await using var spinner = new Spinner(enabled: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
        var transcript = new TaskTranscript(spinner, cwd);
        try
        {
            if (interrupted.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }

            var task = await client.PostAsync(
                $"/sessions/{Uri.EscapeDataString(sessionId)}/prompt",
                new JsonObject { ["prompt"] = prompt, ["permission_mode"] = permissionMode, ["model"] = model },
                CancellationToken.None);
            _taskId = task.Json.Text("id");
            transcript.OnStatus(task.Json.Text("status"));

            JsonElement final;
            await using (var questions = new PermissionQuestions(client, transcript, new AnswerReader(), cwd, allowAll))
            {
                try
                {
                    final = await new TaskFollower(client, sessionId, _taskId, transcript, questions).FollowAsync(stream, interrupted);
                }
                catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
                {
                    await StopAsync(transcript);
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

    private async Task StopAsync(TaskTranscript transcript)
    {
        transcript.Note($"interrupted: stopping task {_taskId}…");
        try
        {
            var stopped = await client.PostAsync($"/tasks/{_taskId}/stop", null, CancellationToken.None);
            transcript.Note($"task {_taskId}: {stopped.Json.Text("status")}");
        }
        catch (CliException ex)
        {
            transcript.Note($"task {_taskId}: {ex.Message}");
        }
    }
}

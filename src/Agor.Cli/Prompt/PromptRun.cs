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
    private const int MaxReconnects = 3;
    private static readonly string[] FinalStatuses = ["completed", "failed", "cancelled"];

    private readonly AnswerReader _answers = new();
    private string _taskId = string.Empty;
    private string? _cwd;

    /// <summary>Runs the prompt; <paramref name="interrupted"/> (Ctrl-C) stops the task. Returns the exit code.</summary>
    public async Task<int> RunAsync(string prompt, string? permissionMode, CancellationToken interrupted)
    {
        var session = await client.GetAsync($"/sessions/{Uri.EscapeDataString(sessionId)}", CancellationToken.None);
        _cwd = session.Json.Text("cwd");
        var stream = await client.OpenEventsAsync(sessionId, null, CancellationToken.None);
        await using var spinner = new Spinner(enabled: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
        var transcript = new TaskTranscript(spinner, _cwd);
        try
        {
            if (interrupted.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }

            var task = await client.PostAsync(
                $"/sessions/{Uri.EscapeDataString(sessionId)}/prompt",
                new JsonObject { ["prompt"] = prompt, ["permission_mode"] = permissionMode },
                CancellationToken.None);
            _taskId = task.Json.Text("id");
            transcript.OnStatus(task.Json.Text("status"));

            JsonElement final;
            try
            {
                final = await FollowAsync(stream, transcript, interrupted);
            }
            catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
            {
                await StopAsync(transcript);
                return ExitCodes.Interrupted;
            }

            transcript.Finish(final);
            return final.Text("status") == "completed" ? ExitCodes.Ok : ExitCodes.Failed;
        }
        finally
        {
            stream.Dispose();
        }
    }

    private async Task<JsonElement> FollowAsync(HttpResponseMessage stream, TaskTranscript transcript, CancellationToken cancellationToken)
    {
        long? lastEventId = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var body = await stream.Content.ReadAsStreamAsync(cancellationToken);
                await foreach (var daemonEvent in EventStreamReader.ReadAsync(body, cancellationToken))
                {
                    lastEventId = daemonEvent.Id ?? lastEventId;
                    if (await HandleAsync(daemonEvent, transcript, cancellationToken) is { } final)
                    {
                        return final;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                // The daemon went away mid-stream; the task's own state decides below.
            }

            stream.Dispose();
            var task = await client.GetAsync($"/tasks/{_taskId}", cancellationToken);
            if (FinalStatuses.Contains(task.Json.Text("status")))
            {
                return task.Json;
            }

            if (attempt == MaxReconnects)
            {
                throw new CliException($"lost the event stream of task {_taskId} (status {task.Json.Text("status")}); follow it with `agor task list {sessionId}`", ExitCodes.Unavailable);
            }

            stream = await client.OpenEventsAsync(sessionId, lastEventId, cancellationToken);
        }
    }

    private async Task<JsonElement?> HandleAsync(ServerSentEvent daemonEvent, TaskTranscript transcript, CancellationToken cancellationToken)
    {
        switch (daemonEvent.Type)
        {
            case "message.delta" when daemonEvent.Str("task_id") == _taskId:
                transcript.OnDelta(daemonEvent.Data);
                break;
            case "message.created" when daemonEvent.Str("task_id") == _taskId:
                transcript.OnMessage(daemonEvent.Data);
                break;
            case "permission.requested" when daemonEvent.Str("task_id") == _taskId:
                await AnswerAsync(daemonEvent.Data, transcript, cancellationToken);
                break;
            case "task.updated" when daemonEvent.Str("id") == _taskId:
                var status = daemonEvent.Str("status") ?? string.Empty;
                if (FinalStatuses.Contains(status))
                {
                    return daemonEvent.Data;
                }

                transcript.OnStatus(status);
                break;
        }

        return null;
    }

    private async Task AnswerAsync(JsonElement request, TaskTranscript transcript, CancellationToken cancellationToken)
    {
        var summary = ToolSummary.Describe(request.Member("tool_input"), _cwd, 80);
        var question = $"Allow {request.Text("tool_name")}{(summary.Length > 0 ? " " + summary : string.Empty)}? [y/N] ";
        bool allow;
        if (allowAll)
        {
            transcript.Note(question + "y (--yes)");
            allow = true;
        }
        else
        {
            transcript.Ask(question);
            var answer = await _answers.ReadLineAsync(cancellationToken);
            if (Console.IsInputRedirected)
            {
                // Typed answers echo on the terminal; piped ones are shown so the transcript reads whole.
                await Console.Error.WriteLineAsync(answer ?? "(no answer: stdin is closed)");
            }

            allow = answer?.Trim().ToUpperInvariant() is "Y" or "YES";
        }

        var body = new JsonObject { ["decision"] = allow ? "allow" : "deny" };
        if (!allow)
        {
            body["reason"] = "The user denied this at the terminal.";
        }

        try
        {
            await client.PostAsync($"/permissions/{Uri.EscapeDataString(request.Text("id"))}", body, cancellationToken);
            transcript.Note(allow ? "  allowed" : "  denied");
        }
        catch (CliException ex)
        {
            // Decided elsewhere in the meantime, or timed out: the task goes on either way.
            transcript.Note($"  not recorded: {ex.Message}");
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

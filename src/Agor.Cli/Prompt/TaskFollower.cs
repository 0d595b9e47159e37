using System.Text.Json;
using Agor.Cli.Client;
using Agor.Cli.Commands;
using Agor.Cli.Output;

namespace Agor.Cli.Prompt;

/// <summary>
/// Follows one task on its session's event stream to its end: the agent's text as it streams,
/// messages, status changes and permission questions (asked while the stream goes on, so one
/// decided elsewhere gives way). Reconnects with <c>Last-Event-ID</c> when the stream breaks.
/// </summary>
internal sealed class TaskFollower(DaemonClient client, string sessionId, string taskId, TaskTranscript transcript, PermissionQuestions questions)
{
    private const int MaxReconnects = 3;
    private static readonly string[] FinalStatuses = ["completed", "failed", "cancelled"];

    private long _lastSequence;
    private bool _streaming = true;

    /// <summary>
    /// Joining a task already under way: messages up to <paramref name="lastSequence"/> are shown,
    /// and streamed text waits for the next message to start (its beginning went by unseen).
    /// </summary>
    public void JoinAfter(long lastSequence)
    {
        _lastSequence = lastSequence;
        _streaming = false;
    }

    /// <summary>The status of a final task, as <c>task.updated</c> or <c>GET /tasks/{id}</c> gave it.</summary>
    public static bool IsFinal(string status) => FinalStatuses.Contains(status);

    /// <summary>Reads <paramref name="stream"/> (and its successors) until the task ends; returns the final task.</summary>
    public async Task<JsonElement> FollowAsync(HttpResponseMessage stream, CancellationToken cancellationToken)
    {
        long? lastEventId = null;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await using var body = await stream.Content.ReadAsStreamAsync(cancellationToken);
                    await foreach (var daemonEvent in EventStreamReader.ReadAsync(body, cancellationToken))
                    {
                        lastEventId = daemonEvent.Id ?? lastEventId;
                        if (Handle(daemonEvent) is { } final)
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
                var task = await client.GetAsync($"/tasks/{Uri.EscapeDataString(taskId)}", cancellationToken);
                if (IsFinal(task.Json.Text("status")))
                {
                    return task.Json;
                }

                if (attempt == MaxReconnects)
                {
                    throw new CliException($"lost the event stream of task {taskId} (status {task.Json.Text("status")}); follow it with `agor task follow {taskId}`", ExitCodes.Unavailable);
                }

                stream = await client.OpenEventsAsync(sessionId, lastEventId, cancellationToken);
            }
        }
        finally
        {
            stream.Dispose();
        }
    }

    /// <summary>A stored message of the task, shown unless it was shown already.</summary>
    public void OnMessage(JsonElement message)
    {
        if (message.Number("sequence") is { } sequence)
        {
            if (sequence <= _lastSequence)
            {
                return;
            }

            _lastSequence = sequence;
        }

        transcript.OnMessage(message);
        _streaming = true;
    }

    private JsonElement? Handle(ServerSentEvent daemonEvent)
    {
        switch (daemonEvent.Type)
        {
            case "message.delta" when daemonEvent.Str("task_id") == taskId:
                if (!_streaming && AgentFrames.StartsMessage(daemonEvent.Data.Member("event_data")))
                {
                    _streaming = true;
                }

                if (_streaming)
                {
                    transcript.OnDelta(daemonEvent.Data);
                }

                break;
            case "message.created" when daemonEvent.Str("task_id") == taskId:
                OnMessage(daemonEvent.Data);
                break;
            case "permission.requested" when daemonEvent.Str("task_id") == taskId:
                questions.OnRequested(daemonEvent.Data);
                break;
            case "permission.resolved" when daemonEvent.Str("task_id") == taskId:
                questions.OnResolved(daemonEvent.Data);
                break;
            case "task.updated" when daemonEvent.Str("id") == taskId:
                var status = daemonEvent.Str("status") ?? string.Empty;
                if (IsFinal(status))
                {
                    return daemonEvent.Data;
                }

                transcript.OnStatus(status);
                break;
        }

        return null;
    }
}

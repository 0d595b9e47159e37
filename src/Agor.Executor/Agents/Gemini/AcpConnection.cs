using System.Collections.Concurrent;
using System.Text.Json;

namespace Agor.Executor.Agents.Gemini;

/// <summary>
/// The executor's end of the Agent Client Protocol over the agent's stdin and stdout: requests it
/// sends are matched to their responses by id; the agent's notifications and requests go to the
/// owner's handler in stdout order, from the one reading loop.
/// </summary>
internal sealed class AcpConnection(AgentProcess agent)
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<AcpResponse>> _pending = new();
    private long _nextId;

    /// <summary>Sends a request; the response (its result or error), or null when the agent's output ended first.</summary>
    public async Task<AcpResponse?> RequestAsync(string method, Action<Utf8JsonWriter> parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<AcpResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        if (!await agent.WriteLineAsync(AcpFrames.Request(id, method, parameters)))
        {
            _pending.TryRemove(id, out _);
            return null;
        }

        return await answer.Task;
    }

    public Task<bool> NotifyAsync(string method, Action<Utf8JsonWriter> parameters) =>
        agent.WriteLineAsync(AcpFrames.Notification(method, parameters));

    public Task<bool> RespondAsync(JsonElement id, Action<Utf8JsonWriter> result) =>
        agent.WriteLineAsync(AcpFrames.Result(id, result));

    public Task<bool> RespondErrorAsync(JsonElement id, int code, string message) =>
        agent.WriteLineAsync(AcpFrames.Error(id, code, message));

    /// <summary>
    /// Reads stdout to its end: responses complete their requests, anything else is handed to
    /// <paramref name="onMessage"/> (a line that is not a JSON object to <paramref name="onMalformed"/>).
    /// When the output ends, every request still waiting gets null.
    /// </summary>
    public async Task ReadAsync(Func<JsonElement, Task> onMessage, Func<string, Task> onMalformed)
    {
        try
        {
            while (await agent.ReadLineAsync(CancellationToken.None) is { } line)
            {
                SawOutput = true;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(line);
                }
                catch (JsonException ex)
                {
                    await onMalformed(ex.Message);
                    continue;
                }

                using (document)
                {
                    var message = document.RootElement;
                    if (message.ValueKind != JsonValueKind.Object)
                    {
                        await onMalformed("not a JSON object");
                        continue;
                    }

                    if (!message.TryGetProperty("method", out _) && message.TryGetProperty("id", out var id))
                    {
                        if (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var number) && _pending.TryRemove(number, out var waiting))
                        {
                            waiting.TrySetResult(AcpResponse.From(message));
                        }

                        continue;
                    }

                    await onMessage(message);
                }
            }
        }
        finally
        {
            foreach (var id in _pending.Keys)
            {
                if (_pending.TryRemove(id, out var waiting))
                {
                    waiting.TrySetResult(AcpResponse.Gone);
                }
            }
        }
    }

    /// <summary>The agent wrote at least one line.</summary>
    public bool SawOutput { get; private set; }
}

/// <summary>An answer to one of our requests: its result, or its error message, or the agent gone before answering.</summary>
internal sealed record AcpResponse(JsonElement? Result, string? Error)
{
    public static readonly AcpResponse Gone = new(null, "the agent ended before answering");

    public bool Succeeded => Result is not null;

    public static AcpResponse From(JsonElement message)
    {
        if (message.TryGetProperty("result", out var result))
        {
            return new AcpResponse(result.Clone(), null);
        }

        var error = message.TryGetProperty("error", out var e) ? e : default;
        var text = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString() : null;
        var details = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("data", out var d) ? d.GetRawText() : null;
        return new AcpResponse(null, $"{text ?? "error"}{(details is null ? string.Empty : $" {details}")}");
    }
}

using System.Globalization;
using System.Text.Json;
using Agor.Cli.Commands;
using Agor.Cli.Output;

namespace Agor.Cli.Prompt;

/// <summary>
/// Writes a task as it happens: the agent's text on stdout as it streams (and nothing else there,
/// so it can be redirected), tool calls, results, questions and the summary on stderr.
/// <c>agor task show</c> replays a finished task through the same renderer with its notes on stdout.
/// </summary>
internal sealed class TaskTranscript(Spinner spinner, string? cwd, TextWriter? notes = null)
{
    private readonly TextWriter _notes = notes ?? Console.Error;
    private readonly bool _colored = Paint.EnabledFor(notes ?? Console.Error);
    private bool _atLineStart = true;
    private bool _streamedSinceLastMessage;
    private readonly HashSet<string> _shownCalls = new(StringComparer.Ordinal);

    /// <summary>A <c>message.delta</c>: streamed text, or progress for the spinner.</summary>
    public void OnDelta(JsonElement delta)
    {
        var data = delta.Member("event_data");
        var eventType = delta.Text("event_type");
        switch (eventType)
        {
            case "content_block_delta":
                if (AgentFrames.DeltaText(eventType, data) is { } text)
                {
                    WriteText(text);
                }

                break;
            case "thinking_chunk":
                Waiting("thinking…");
                break;
            case "progress" when data.Text("message") is { Length: > 0 } message:
                Waiting(message);
                break;
        }
    }

    /// <summary>A stored <c>message.created</c>: tool calls and results compactly, text not already streamed.</summary>
    public void OnMessage(JsonElement message)
    {
        var data = message.Member("event_data");
        var eventType = message.Text("event_type");
        switch (eventType)
        {
            case "assistant_message":
                if (!_streamedSinceLastMessage && AgentFrames.AssistantText(eventType, data) is { Length: > 0 } text)
                {
                    WriteText(text);
                }

                EndMessage();
                Waiting("working…");
                break;
            case "tool_call":
                EndMessage();
                ShowCalls(eventType, data);
                break;
            case "tool_result":
                ShowCalls(eventType, data);
                foreach (var result in AgentFrames.ToolResults(eventType, data, cwd))
                {
                    var lines = result.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                    var first = lines.Length > 0 ? JsonFields.Shorten(lines[0], 100) : "(no output)";
                    var more = lines.Length > 1 ? $" (+{lines.Length - 1} lines)" : string.Empty;
                    Note(result.IsError ? Paint.Fail($"  ✗ {first}{more}", _colored) : Paint.Dim($"  ↳ {first}{more}", _colored));
                }

                Waiting("thinking…");
                break;
            case "error":
                EndMessage();
                Note(Paint.Fail($"error: {AgentFrames.ErrorText(data)}", _colored));
                break;
            case "system" when data.Text("subtype") is "resource_limit" or "sandbox_unconfined":
                EndMessage();
                Note(Paint.Warn(SandboxWarning(data), _colored));
                break;
        }
    }

    /// <summary>A limit the kernel enforced, or an agent that ran unconfined: one clear warning line.</summary>
    public static string SandboxWarning(JsonElement data) =>
        data.Text("subtype") == "resource_limit"
            ? $"warning: resource limit: {(data.Text("message") is { Length: > 0 } m ? m : $"{data.Text("limit")} ({data.Text("max")}) reached")}"
            : $"warning: UNCONFINED: {(data.Text("message") is { Length: > 0 } u ? u : "the agent ran outside the sandbox")}";

    /// <summary>A status change of the task that is not its end.</summary>
    public void OnStatus(string status)
    {
        switch (status)
        {
            case "queued":
                Waiting("queued behind the session's running task…");
                break;
            case "running" when _atLineStart:
                Waiting("working…");
                break;
            case "awaiting_permission":
                spinner.Show(null);
                break;
        }
    }

    /// <summary>Before a question or a note: the agent's line ended, the spinner gone.</summary>
    public void EndMessage()
    {
        if (!_atLineStart)
        {
            spinner.Write(Console.Out, "\n");
            _atLineStart = true;
        }

        _streamedSinceLastMessage = false;
    }

    /// <summary>Whether the notes may carry colour (a terminal, no NO_COLOR).</summary>
    public bool Colored => _colored;

    /// <summary>
    /// The question asked last gives way to <paramref name="line"/>: on a terminal its line is
    /// cleared and rewritten, elsewhere the line follows it.
    /// </summary>
    public void ReplaceQuestion(string line)
    {
        var terminal = ReferenceEquals(_notes, Console.Error) && !Console.IsErrorRedirected;
        spinner.Write(_notes, (terminal ? "\r\u001b[2K" : "\n") + line + "\n");
    }

    /// <summary>A question on stderr, the spinner out of the way while the person answers.</summary>
    public void Ask(string question)
    {
        spinner.Show(null);
        EndMessage();
        spinner.Write(_notes, question);
    }

    /// <summary>A line on stderr.</summary>
    public void Note(string line)
    {
        EndMessage();
        spinner.Write(_notes, line + "\n");
    }

    /// <summary>The last line: status, tokens, cost, time.</summary>
    public void Finish(JsonElement task)
    {
        spinner.Show(null);
        EndMessage();
        var status = task.Text("status");
        var parts = new List<string> { status };
        var usage = task.Member("token_usage");
        if (usage.ValueKind == JsonValueKind.Object)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{usage.Number("input_tokens") ?? 0:N0} tokens in, {usage.Number("output_tokens") ?? 0:N0} out"));
        }

        if (TaskCommands.Cost(task) is { Length: > 0 } cost)
        {
            parts.Add(cost);
        }

        if (task.Member("started_at").TryGetDateTimeOffsetOrNull() is { } started && task.Member("completed_at").TryGetDateTimeOffsetOrNull() is { } completed)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{(completed - started).TotalSeconds:0.0} s"));
        }

        var error = task.Member("error");
        var errorText = error.ValueKind == JsonValueKind.Object ? $": {error.Text("code")}: {error.Text("message")}" : string.Empty;
        var mark = status == "completed" ? "✓" : "✗";
        spinner.Write(_notes, Paint.Status(status, $"{mark} {string.Join(" · ", parts)}{errorText}", _colored) + "\n");
    }

    private void WriteText(string text)
    {
        spinner.Show(null);
        spinner.Write(Console.Out, text);
        _atLineStart = text.EndsWith('\n');
        _streamedSinceLastMessage = true;
    }

    private void Waiting(string label)
    {
        // The spinner redraws its line: only where the agent's text is not mid-line.
        if (_atLineStart)
        {
            spinner.Show(label);
        }
    }

    // An agent may name one call in several frames (Gemini's start and its updates): each is shown once.
    private void ShowCalls(string eventType, JsonElement data)
    {
        foreach (var call in AgentFrames.ToolCalls(eventType, data, cwd))
        {
            if (call.Id is not null && !_shownCalls.Add(call.Id))
            {
                continue;
            }

            Note(Paint.Dim($"→ {call.Name}{(call.Summary.Length > 0 ? " " + call.Summary : string.Empty)}", _colored));
            Waiting($"running {call.Name}…");
        }
    }
}

using Agor.Protocol.Wire;
using Agor.Testing.ScriptedGemini;
using Agor.Testing.ScriptedOpenAI;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// The scripted model server an agent talks to in the prompt suite: the Responses API for Codex,
/// the Gemini API for Gemini. Each run queues the same three-chunk answer and checks it was taken.
/// </summary>
internal sealed class AgentServer : IAsyncDisposable
{
    private readonly string _agent;
    private readonly ScriptedOpenAIServer? _openAI;
    private readonly ScriptedGeminiServer? _gemini;

    private AgentServer(string agent, ScriptedOpenAIServer? openAI, ScriptedGeminiServer? gemini)
    {
        _agent = agent;
        _openAI = openAI;
        _gemini = gemini;
    }

    /// <summary>The key both sides hand the CLI; the scripted servers accept any.</summary>
    public string ApiKey { get; } = "bench-" + Guid.NewGuid().ToString("N")[..16];

    public string Description => _openAI is not null ? "Responses API server" : "Gemini API server";

    public static async Task<AgentServer> StartAsync(string agent, CancellationToken cancellationToken) => agent switch
    {
        "codex" => new AgentServer(agent, await ScriptedOpenAIServer.StartAsync(cancellationToken), null),
        "gemini" => new AgentServer(agent, null, await ScriptedGeminiServer.StartAsync(cancellationToken)),
        _ => throw new ArgumentOutOfRangeException(nameof(agent), agent, "codex or gemini"),
    };

    /// <summary>The agent as the executor side asks for it; any content_block_delta report is its streamed text (the answer has no tool).</summary>
    public PromptAgent Agent(string cliPath) => new(
        _agent,
        cliPath,
        ApiKey,
        _openAI?.BaseUrl ?? _gemini!.BaseUrl,
        (type, _) => type == EventTypes.ContentBlockDelta,
        RequestOffsetMs);

    /// <summary>
    /// When the run's conversation request reached the server, in milliseconds after
    /// <paramref name="startUtc"/>: the first streaming call since then, the one that takes the
    /// queued answer (runs go one at a time). The server stamps requests with the wall clock; the run
    /// reads it beside its stopwatch at the start.
    /// </summary>
    public double RequestOffsetMs(DateTimeOffset startUtc)
    {
        DateTimeOffset? received = _openAI is not null
            ? _openAI.Requests.FirstOrDefault(r => r.IsResponses && r.ReceivedAt >= startUtc)?.ReceivedAt
            : _gemini!.Requests.FirstOrDefault(r => r.TurnIndex is not null && r.ReceivedAt >= startUtc)?.ReceivedAt;
        return received is { } at
            ? (at - startUtc).TotalMilliseconds
            : throw new InvalidOperationException($"No {_agent} conversation request reached the scripted server after the run's start. Requests: {RequestSummary()}");
    }

    public void EnqueueAnswer()
    {
        _openAI?.Script.EnqueueText(PromptContext.AnswerChunks);
        _gemini?.Script.EnqueueText(PromptContext.AnswerChunks);
    }

    /// <summary>For the check run only: chunks spaced out, so the agent lives long enough to be read from /proc.</summary>
    public void EnqueuePacedAnswer(TimeSpan pace)
    {
        _openAI?.Script.EnqueueSlowText(PromptContext.AnswerChunks.Length, pace);
        _gemini?.Script.Enqueue(GeminiTurn.PacedText(pace, PromptContext.AnswerChunks));
    }

    /// <summary>Throws when the run ended without taking its answer (the CLI asked the model for something else first).</summary>
    public void RequireAnswerTaken(string side)
    {
        var pending = _openAI?.Script.PendingCount ?? _gemini!.Script.PendingCount;
        if (pending != 0)
        {
            throw new InvalidOperationException($"{side}: the run ended but the scripted answer was not taken. Requests: {RequestSummary()}");
        }
    }

    public string RequestSummary()
    {
        var kinds = _openAI is not null
            ? _openAI.Requests.Select(r => $"{r.Method} {r.Path}")
            : _gemini!.Requests.Select(r => $"{r.Method} {r.Action ?? r.Target}");
        return string.Join(", ", kinds.GroupBy(k => k, StringComparer.Ordinal).Select(g => $"{g.Count()}× {g.Key}"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_openAI is not null)
        {
            await _openAI.DisposeAsync();
        }

        if (_gemini is not null)
        {
            await _gemini.DisposeAsync();
        }
    }
}

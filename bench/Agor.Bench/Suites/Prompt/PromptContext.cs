using Agor.Testing.ScriptedModel;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// What every prompt measurement shares: the executor, the CLI, the scripted model server, and the
/// prompt and answer that are the same in every run.
/// </summary>
internal sealed record PromptContext(string ExecutorPath, string ClaudePath, ScriptedModelServer Model, TextWriter Log)
{
    public const string Prompt = "Say hello to the bench.";

    public const string PermissionMode = "default";

    /// <summary>The answer every run gets: three text chunks streamed back to back, no delay.</summary>
    public static readonly string[] AnswerChunks = ["Hello", " from the", " scripted model."];

    /// <summary>The key both sides hand the CLI; the scripted server accepts any.</summary>
    public string ApiKey { get; } = "sk-ant-bench-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Claude Code as the executor side asks for it: the agent the execution context names by default.</summary>
    public PromptAgent ClaudeAgent => new(
        "claude-code",
        ClaudePath,
        ApiKey,
        Model.BaseUrl,
        (type, data) => type == Agor.Protocol.Wire.EventTypes.ContentBlockDelta && StreamFrames.IsContentBlockDelta(data),
        RequestOffsetMs);

    /// <summary>
    /// Queues this run's answer, taken only by the conversation request that carries the prompt (so a
    /// stray streaming call of the CLI cannot take it). <paramref name="pace"/> spaces the chunks out,
    /// for the check run only, which needs the agent alive for a moment.
    /// </summary>
    public void EnqueueAnswer(TimeSpan? pace = null) =>
        Model.Script.Enqueue(ScriptedTurn.PacedText(pace ?? TimeSpan.Zero, AnswerChunks), r => r.UserText.Contains(Prompt, StringComparison.Ordinal));

    /// <summary>
    /// When this run's conversation request reached the server, in milliseconds after
    /// <paramref name="startUtc"/> (the server stamps requests with the wall clock; the run reads it
    /// beside its stopwatch at the start).
    /// </summary>
    public double RequestOffsetMs(DateTimeOffset startUtc)
    {
        var request = Model.ConversationRequests.LastOrDefault(r => r.UserText.Contains(Prompt, StringComparison.Ordinal) && r.ReceivedAt >= startUtc)
            ?? throw new InvalidOperationException("No conversation request of this run reached the scripted server.");
        return (request.ReceivedAt - startUtc).TotalMilliseconds;
    }

    /// <summary>Throws when the run ended without taking its answer (the CLI sent something else).</summary>
    public void RequireAnswerTaken(string side)
    {
        if (Model.Script.PendingCount != 0)
        {
            Model.Script.Clear();
            throw new InvalidOperationException($"{side}: the run ended but the scripted answer was not taken. Requests: {string.Join(", ", Model.Requests.TakeLast(5))}");
        }
    }
}

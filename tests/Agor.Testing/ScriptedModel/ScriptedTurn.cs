using System.Text.Json;

namespace Agor.Testing.ScriptedModel;

/// <summary>
/// One scripted answer of the model: a streamed assistant message (text, tool calls) or an HTTP error.
/// Build turns with the static factories; hand them to <see cref="ModelScript"/>.
/// </summary>
/// <remarks>Turns are immutable, so the same instance may be enqueued more than once.</remarks>
public abstract class ScriptedTurn
{
    private protected ScriptedTurn()
    {
    }

    /// <summary>A text answer streamed as the given chunks, back to back; stop reason <c>end_turn</c>.</summary>
    public static ScriptedTurn Text(params string[] chunks) => PacedText(TimeSpan.Zero, chunks);

    /// <summary>A text answer streamed as the given chunks with <paramref name="delayBetweenChunks"/> before every chunk but the first.</summary>
    public static ScriptedTurn PacedText(TimeSpan delayBetweenChunks, params string[] chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentOutOfRangeException.ThrowIfLessThan(delayBetweenChunks, TimeSpan.Zero);
        if (chunks.Length == 0)
        {
            throw new ArgumentException("A text turn needs at least one chunk.", nameof(chunks));
        }

        return new MessageTurn([new TextBlock([.. chunks])], delayBetweenChunks, StopReasons.EndTurn);
    }

    /// <summary>
    /// A slow text answer: <paramref name="count"/> chunks <c>"tick0 "</c>, <c>"tick1 "</c>... paced
    /// <paramref name="delayBetweenChunks"/> apart. Use it for a stream a test interrupts.
    /// </summary>
    public static ScriptedTurn SlowText(int count, TimeSpan delayBetweenChunks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var chunks = new string[count];
        for (var i = 0; i < count; i++)
        {
            chunks[i] = $"tick{i} ";
        }

        return PacedText(delayBetweenChunks, chunks);
    }

    /// <summary>
    /// A tool call: optional leading text, then one <c>tool_use</c> block; stop reason <c>tool_use</c>.
    /// </summary>
    /// <param name="toolName">The tool, e.g. <c>Write</c> or <c>Bash</c>.</param>
    /// <param name="input">The tool input; serialized as JSON (an anonymous object, a <see cref="JsonElement"/>, a JsonNode...).</param>
    /// <param name="leadingText">Text streamed before the call, or null for none.</param>
    /// <param name="toolUseId">The block id; a fresh <c>toolu_</c> id when null.</param>
    public static ScriptedTurn ToolUse(string toolName, object input, string? leadingText = null, string? toolUseId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        ArgumentNullException.ThrowIfNull(input);
        var inputJson = JsonSerializer.Serialize(input, input.GetType());
        using (var document = JsonDocument.Parse(inputJson))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("A tool input must serialize to a JSON object.", nameof(input));
            }
        }

        var blocks = new List<ScriptedBlock>(2);
        if (!string.IsNullOrEmpty(leadingText))
        {
            blocks.Add(new TextBlock([leadingText]));
        }

        blocks.Add(new ToolUseBlock(toolUseId ?? Ids.NewToolUseId(), toolName, inputJson));
        return new MessageTurn(blocks, TimeSpan.Zero, StopReasons.ToolUse);
    }

    /// <summary>
    /// An HTTP error with an Anthropic-style body <c>{"type":"error","error":{"type":...,"message":...}}</c>.
    /// The error type follows the status (401 → <c>authentication_error</c>, 529 → <c>overloaded_error</c>...).
    /// </summary>
    /// <param name="statusCode">The HTTP status, 400 to 599.</param>
    /// <param name="message">The error message; a typical one for the status when null.</param>
    /// <param name="errorType">The error type; derived from the status when null.</param>
    public static ScriptedTurn Error(int statusCode, string? message = null, string? errorType = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        return new ErrorTurn(statusCode, errorType ?? AnthropicErrors.TypeFor(statusCode), message ?? AnthropicErrors.MessageFor(statusCode));
    }
}

using System.Text.Json;

namespace Agor.Testing.ScriptedModel;

/// <summary>
/// A request the server received, recorded on arrival (before it was answered). Immutable apart
/// from <see cref="Outcome"/>, which completes when the answer has ended; safe to read from any thread.
/// </summary>
public sealed class RecordedRequest
{
    private readonly TaskCompletionSource<RecordedResponseOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RecordedRequest(
        int sequence,
        RecordedRequestKind kind,
        int? turnIndex,
        string method,
        string path,
        string queryString,
        IReadOnlyDictionary<string, string> headers,
        string bodyText,
        JsonElement? body)
    {
        Sequence = sequence;
        Kind = kind;
        TurnIndex = turnIndex;
        Method = method;
        Path = path;
        QueryString = queryString;
        Headers = headers;
        BodyText = bodyText;
        Body = body;
        Messages = RequestBodyReader.Messages(body);
        ToolResults = RequestBodyReader.ToolResults(Messages);
        UserTexts = RequestBodyReader.UserTexts(Messages);
        SystemText = RequestBodyReader.SystemText(body);
        ToolNames = RequestBodyReader.ToolNames(body);
    }

    /// <summary>The 0-based order of arrival among all requests this server received.</summary>
    public int Sequence { get; }

    /// <summary>When the request arrived.</summary>
    public DateTimeOffset ReceivedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>What the request was, which decided how it was answered.</summary>
    public RecordedRequestKind Kind { get; }

    /// <summary>For a <see cref="RecordedRequestKind.Conversation"/> request, its 0-based order among those; otherwise null.</summary>
    public int? TurnIndex { get; }

    /// <summary>The HTTP method, e.g. <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>The path without the query string, e.g. <c>/v1/messages</c>.</summary>
    public string Path { get; }

    /// <summary>The query string with its leading <c>?</c>, e.g. <c>?beta=true</c>, or empty.</summary>
    public string QueryString { get; }

    /// <summary>The request headers, keyed case-insensitively; repeated headers are joined with <c>", "</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The raw body text (empty when there was none).</summary>
    public string BodyText { get; }

    /// <summary>The parsed JSON body, or null when the body was empty or not JSON.</summary>
    public JsonElement? Body { get; }

    /// <summary>The <c>x-api-key</c> header, or null.</summary>
    public string? ApiKey => GetHeader("x-api-key");

    /// <summary>The <c>authorization</c> header (e.g. <c>Bearer …</c>), or null.</summary>
    public string? Authorization => GetHeader("authorization");

    /// <summary>The body's <c>model</c>, or null.</summary>
    public string? Model => Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;

    /// <summary>The body's <c>max_tokens</c>, or null.</summary>
    public int? MaxTokens => Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("max_tokens", out var m) && m.TryGetInt32(out var value) ? value : null;

    /// <summary>Whether the body asked for a streamed answer (<c>"stream": true</c>).</summary>
    public bool IsStreaming => Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;

    /// <summary>The body's <c>messages</c> array, in order (empty when absent).</summary>
    public IReadOnlyList<JsonElement> Messages { get; }

    /// <summary>Every <c>tool_result</c> block in the user messages, in order.</summary>
    public IReadOnlyList<RecordedToolResult> ToolResults { get; }

    /// <summary>Every text of the user messages (string contents and <c>text</c> blocks), in order.</summary>
    public IReadOnlyList<string> UserTexts { get; }

    /// <summary><see cref="UserTexts"/> joined with newlines.</summary>
    public string UserText => string.Join('\n', UserTexts);

    /// <summary>The system prompt as text (a string, or its text blocks concatenated), or empty.</summary>
    public string SystemText { get; }

    /// <summary>The names of the tools offered to the model.</summary>
    public IReadOnlyList<string> ToolNames { get; }

    /// <summary>Completes when the server's answer has ended, saying whether it was written whole.</summary>
    public Task<RecordedResponseOutcome> Outcome => _outcome.Task;

    /// <summary>The value of a header, or null when absent.</summary>
    public string? GetHeader(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <inheritdoc/>
    public override string ToString() => $"#{Sequence} {Method} {Path}{QueryString} ({Kind})";

    internal void SetOutcome(RecordedResponseOutcome outcome) => _outcome.TrySetResult(outcome);
}

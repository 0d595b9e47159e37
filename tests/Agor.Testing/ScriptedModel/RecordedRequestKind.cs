namespace Agor.Testing.ScriptedModel;

/// <summary>What a recorded request was, which decides how the server answered it.</summary>
public enum RecordedRequestKind
{
    /// <summary>A streaming <c>POST /v1/messages</c>: it consumed the next scripted turn.</summary>
    Conversation,

    /// <summary>
    /// A non-streaming <c>POST /v1/messages</c> (model probes, quota checks): a canned short reply.
    /// Claude Code also sends one, with the whole conversation, when a stream breaks off mid-answer:
    /// it retries the turn without streaming.
    /// </summary>
    NonStreamingMessage,

    /// <summary><c>POST /v1/messages/count_tokens</c>: an estimate from the body size.</summary>
    CountTokens,

    /// <summary>Anything else (<c>HEAD /</c> preflights, unknown paths): 200 for HEAD, 404 otherwise.</summary>
    Other,
}

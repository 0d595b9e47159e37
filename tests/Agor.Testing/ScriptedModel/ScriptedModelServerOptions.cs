using Microsoft.Extensions.Logging;

namespace Agor.Testing.ScriptedModel;

/// <summary>Options of <see cref="ScriptedModelServer"/>.</summary>
public sealed class ScriptedModelServerOptions
{
    /// <summary>
    /// The text of the answer to a conversation request when no scripted turn is left, and of every
    /// non-streaming message request. Default <c>"OK"</c>.
    /// </summary>
    public string DefaultReplyText { get; init; } = "OK";

    /// <summary>Where the server logs each request and failure (at Debug and Error). Null: nowhere. ASP.NET Core's own logging is always off.</summary>
    public ILogger? Logger { get; init; }
}

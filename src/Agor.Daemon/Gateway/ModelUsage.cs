using Agor.Protocol.Wire;

namespace Agor.Daemon.Gateway;

/// <summary>Tokens one model answer (or a sum of them) used, as the upstream reported.</summary>
internal sealed record ModelUsage(long InputTokens, long OutputTokens, long CacheCreationInputTokens, long CacheReadInputTokens)
{
    public static readonly ModelUsage Zero = new(0, 0, 0, 0);

    public ModelUsage Add(ModelUsage other) => new(
        InputTokens + other.InputTokens,
        OutputTokens + other.OutputTokens,
        CacheCreationInputTokens + other.CacheCreationInputTokens,
        CacheReadInputTokens + other.CacheReadInputTokens);

    public TokenUsage ToTokenUsage() => new(InputTokens, OutputTokens, CacheCreationInputTokens, CacheReadInputTokens);
}

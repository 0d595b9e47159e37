using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Executor.Agents.Codex;

/// <summary>
/// The turn's tokens: the sum of the <c>last</c> (per model response) counts of every
/// <c>thread/tokenUsage/updated</c> in the turn. The <c>total</c> counts the whole thread, earlier
/// tasks included. OpenAI's input count includes the cached part; ours counts it apart, as for Claude.
/// </summary>
internal sealed class CodexUsage
{
    private long _input;
    private long _cached;
    private long _cacheWrite;
    private long _output;
    private bool _seen;

    public void Add(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty("tokenUsage", out var usage)
            || usage.ValueKind != JsonValueKind.Object || !usage.TryGetProperty("last", out var last) || last.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        _seen = true;
        _input += Long(last, "inputTokens");
        _cached += Long(last, "cachedInputTokens");
        _cacheWrite += Long(last, "cacheWriteInputTokens");
        _output += Long(last, "outputTokens");
    }

    public TokenUsage? Total => _seen ? new TokenUsage(Math.Max(0, _input - _cached), _output, _cacheWrite, _cached) : null;

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : 0;
}

using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Executor.Agents.Gemini;

/// <summary>Reads the <c>session/prompt</c> answer: its stop reason, and the turn's tokens from <c>_meta.quota</c>.</summary>
internal static class GeminiPromptResult
{
    public static AgentOutcome ToOutcome(AcpResponse response, string sessionId, bool interruptRequested)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Result is not { } result)
        {
            var message = response.Error ?? "unknown error";
            var code = message.Contains("API Error", StringComparison.OrdinalIgnoreCase) || message.Contains("status", StringComparison.OrdinalIgnoreCase)
                ? ErrorCodes.ApiError
                : ErrorCodes.AgentError;
            return AgentOutcome.Failed(code, $"Gemini CLI failed the prompt: {message}", sessionId);
        }

        var usage = Usage(result);
        var stopReason = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("stopReason", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        return stopReason switch
        {
            "cancelled" when interruptRequested => new AgentOutcome(CompletionStatus.Cancelled) { Usage = usage, AgentSessionId = sessionId, Interrupted = true },
            "refusal" => AgentOutcome.Failed(ErrorCodes.AgentError, "The model refused to answer.", sessionId) with { Usage = usage },
            _ => new AgentOutcome(CompletionStatus.Completed) { Usage = usage, AgentSessionId = sessionId },
        };
    }

    /// <summary>The tokens of the turn (summed by the CLI over its model calls), or null when it gave none.</summary>
    public static TokenUsage? Usage(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object
            || !result.TryGetProperty("_meta", out var meta) || meta.ValueKind != JsonValueKind.Object
            || !meta.TryGetProperty("quota", out var quota) || quota.ValueKind != JsonValueKind.Object
            || !quota.TryGetProperty("token_count", out var tokens) || tokens.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new TokenUsage(Long(tokens, "input_tokens"), Long(tokens, "output_tokens"));
    }

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : 0;
}

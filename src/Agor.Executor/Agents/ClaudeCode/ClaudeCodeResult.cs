using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Executor.Agents.ClaudeCode;

/// <summary>Reads the final <c>result</c> frame. API errors arrive as <c>subtype: success</c> with <c>is_error: true</c>, so only <c>is_error</c> decides.</summary>
internal static class ClaudeCodeResult
{
    public static AgentOutcome ToOutcome(JsonElement result, bool interruptRequested)
    {
        var sessionId = String(result, "session_id");
        var usage = result.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object
            ? new TokenUsage(Long(u, "input_tokens"), Long(u, "output_tokens"), Long(u, "cache_creation_input_tokens"), Long(u, "cache_read_input_tokens"))
            : null;
        double? cost = result.TryGetProperty("total_cost_usd", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : null;
        var isError = result.TryGetProperty("is_error", out var e) && e.ValueKind == JsonValueKind.True;

        if (!isError)
        {
            return new AgentOutcome(CompletionStatus.Completed) { Usage = usage, CostUsd = cost, AgentSessionId = sessionId };
        }

        var terminal = String(result, "terminal_reason");
        if (interruptRequested && terminal is "aborted_streaming" or "aborted_tools")
        {
            return new AgentOutcome(CompletionStatus.Cancelled) { Usage = usage, CostUsd = cost, AgentSessionId = sessionId, Interrupted = true };
        }

        var code = terminal == "api_error" || result.TryGetProperty("api_error_status", out _) ? ErrorCodes.ApiError : ErrorCodes.AgentError;
        return new AgentOutcome(CompletionStatus.Failed, new ErrorInfo(code, Message(result)))
        {
            Usage = usage,
            CostUsd = cost,
            AgentSessionId = sessionId,
        };
    }

    private static string Message(JsonElement result)
    {
        if (String(result, "result") is { Length: > 0 } text)
        {
            return text;
        }

        if (result.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
        {
            var messages = errors.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()).ToList();
            if (messages.Count > 0)
            {
                return string.Join("; ", messages);
            }
        }

        return $"Claude Code reported an error ({String(result, "subtype") ?? "unknown"}).";
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : 0;
}

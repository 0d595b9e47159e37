using Agor.Protocol.Wire;

namespace Agor.Executor.Agents;

/// <summary>How an agent run ended, ready to become <c>report_completion</c>.</summary>
internal sealed record AgentOutcome(string Status, ErrorInfo? Error = null)
{
    public TokenUsage? Usage { get; init; }

    public double? CostUsd { get; init; }

    public string? AgentSessionId { get; init; }

    /// <summary>The agent was interrupted on request before it finished.</summary>
    public bool Interrupted { get; init; }

    public static AgentOutcome Failed(string code, string message, string? agentSessionId = null) =>
        new(CompletionStatus.Failed, new ErrorInfo(code, message)) { AgentSessionId = agentSessionId };
}

/// <summary>Stable error codes of failed tasks.</summary>
internal static class ErrorCodes
{
    public const string AgentNotFound = "agent_not_found";
    public const string AgentCrashed = "agent_crashed";
    public const string AgentError = "agent_error";
    public const string ApiError = "api_error";
    public const string NoApiKey = "no_api_key";
    public const string Timeout = "timeout";
    public const string ContextUnavailable = "context_unavailable";
    public const string MalformedOutput = "agent_malformed_output";
    public const string InvalidWorkingDirectory = "invalid_cwd";
    public const string SandboxUnavailable = "sandbox_unavailable";
}

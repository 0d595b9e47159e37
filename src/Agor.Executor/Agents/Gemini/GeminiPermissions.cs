using System.Text.Json;

namespace Agor.Executor.Agents.Gemini;

/// <summary>
/// How a <c>session/request_permission</c> is decided and answered. Only "allow once" or "reject
/// once" is ever chosen: "allow always" would let the CLI run later calls without asking us.
/// </summary>
internal static class GeminiPermissions
{
    public enum Decision
    {
        Ask,
        Allow,
        Deny,
    }

    /// <summary>The tool's name: the CLI's call ids are <c>&lt;tool&gt;__&lt;tool&gt;_&lt;n&gt;_&lt;n&gt;</c>; else the ACP kind.</summary>
    public static string ToolName(string? toolCallId, string? kind)
    {
        if (toolCallId is { Length: > 0 } id && id.IndexOf("__", StringComparison.Ordinal) is var end and > 0)
        {
            return id[..end];
        }

        return kind is { Length: > 0 } ? kind : "unknown";
    }

    /// <summary>
    /// The permission mode decides before the daemon is asked: bypassPermissions and pre-approved
    /// tools run, acceptEdits lets edits run, plan refuses whatever has to ask (it changes things).
    /// </summary>
    public static Decision Decide(AgentRunRequest request, string toolName, string? kind)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.PermissionMode switch
        {
            "bypassPermissions" => Decision.Allow,
            "plan" => Decision.Deny,
            _ when request.PreApprovedTools.Contains(toolName, StringComparer.Ordinal) => Decision.Allow,
            "acceptEdits" when kind == "edit" => Decision.Allow,
            _ => Decision.Ask,
        };
    }

    /// <summary>The option to select, by its kind (allow_once or reject_once); null when the CLI offered none such (then: cancelled).</summary>
    public static string? Option(JsonElement parameters, bool approved)
    {
        var wanted = approved ? "allow_once" : "reject_once";
        if (!parameters.TryGetProperty("options", out var options) || options.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var option in options.EnumerateArray())
        {
            if (option.ValueKind == JsonValueKind.Object
                && option.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String && kind.GetString() == wanted
                && option.TryGetProperty("optionId", out var id) && id.ValueKind == JsonValueKind.String)
            {
                return id.GetString();
            }
        }

        return null;
    }
}

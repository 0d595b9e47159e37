using System.Globalization;
using System.Text.Json;

namespace Agor.Cli.Output;

/// <summary>A task's own fields in words, for <c>agor task show</c>: status, error, usage, cost, sandbox.</summary>
internal static class TaskSummary
{
    public static IEnumerable<(string Name, string Value)> Details(JsonElement task)
    {
        yield return ("id", task.Text("id"));
        yield return ("session", task.Text("session_id"));
        yield return ("status", task.Text("status"));
        if (Error(task) is { } error)
        {
            yield return ("error", error);
        }

        yield return ("tokens", Tokens(task));
        yield return ("cost", task.Member("cost_usd") is { ValueKind: JsonValueKind.Number } cost
            ? string.Create(CultureInfo.InvariantCulture, $"${cost.GetDouble():0.0000}")
            : "not reported");
        yield return ("permission mode", task.Text("permission_mode"));
        yield return ("sandbox", Sandbox(task.Member("sandbox")));
        yield return ("created", task.Time("created_at"));
        yield return ("started", task.Time("started_at"));
        yield return ("ended", task.Time("completed_at"));
    }

    /// <summary><c>budget_exceeded: the task's spend reached …</c>, or null without an error.</summary>
    public static string? Error(JsonElement task) =>
        task.Member("error") is { ValueKind: JsonValueKind.Object } error
            ? $"{error.Text("code")}: {error.Text("message")}"
            : null;

    /// <summary><c>1,234 in, 56 out, 0 cache written, 789 cache read</c>, or <c>not reported</c>.</summary>
    public static string Tokens(JsonElement task)
    {
        var usage = task.Member("token_usage");
        return usage.ValueKind == JsonValueKind.Object
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{usage.Number("input_tokens") ?? 0:N0} in, {usage.Number("output_tokens") ?? 0:N0} out, {usage.Number("cache_creation_input_tokens") ?? 0:N0} cache written, {usage.Number("cache_read_input_tokens") ?? 0:N0} cache read")
            : "not reported";
    }

    private static string Sandbox(JsonElement sandbox)
    {
        if (sandbox.ValueKind != JsonValueKind.Object)
        {
            return "not reported";
        }

        return sandbox.Member("confined").ValueKind == JsonValueKind.True
            ? $"confined ({sandbox.Text("mechanism")})"
            : $"UNCONFINED{(sandbox.Text("reason") is { Length: > 0 } reason ? ": " + reason : string.Empty)}";
    }
}

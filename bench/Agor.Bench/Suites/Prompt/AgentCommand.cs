using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// The Claude Code command the executor runs for a prompt, rebuilt here for the baseline: the same
/// arguments (<c>ClaudeCodeArguments</c>), the same environment (<c>AgentEnvironment.Build</c>) and
/// the same first stdin line (<c>ClaudeCodeFrames.UserMessage</c>). Those types are internal to the
/// executor, so this is a copy; <see cref="AgentProcessCheck"/> compares it with the process the
/// executor really starts, once per run, so that a drift fails the bench instead of skewing it.
/// </summary>
internal static class AgentCommand
{
    /// <summary>The executor's own variables the agent inherits (<c>AgentEnvironment.Inherited</c>).</summary>
    private static readonly string[] Inherited = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "TMPDIR"];

    /// <summary>The arguments for a task in permission mode <c>default</c>, no model, no tools, nothing to resume.</summary>
    public static IReadOnlyList<string> Arguments(string permissionMode) =>
    [
        "--output-format", "stream-json",
        "--input-format", "stream-json",
        "--verbose",
        "--permission-prompt-tool", "stdio",
        "--include-partial-messages",
        "--permission-mode", permissionMode,
    ];

    /// <summary>
    /// The agent's environment, given the executor's own environment and what the daemon handed out
    /// (no extra variables in the context; not root-with-bypassPermissions, so no IS_SANDBOX).
    /// </summary>
    public static Dictionary<string, string> Environment(IReadOnlyDictionary<string, string> executorEnvironment, string apiKey, string baseUrl)
    {
        var environment = Common(executorEnvironment);
        environment["ANTHROPIC_API_KEY"] = apiKey;
        environment["ANTHROPIC_BASE_URL"] = baseUrl;
        return environment;
    }

    /// <summary>What every agent's environment holds before its runner adds the key and base URL (<c>AgentEnvironment.Build</c>).</summary>
    public static Dictionary<string, string> Common(IReadOnlyDictionary<string, string> executorEnvironment)
    {
        ArgumentNullException.ThrowIfNull(executorEnvironment);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
            ["DISABLE_AUTOUPDATER"] = "1",
            ["DISABLE_ERROR_REPORTING"] = "1",
            ["DISABLE_TELEMETRY"] = "1",
        };
        foreach (var name in Inherited)
        {
            if (executorEnvironment.TryGetValue(name, out var value) && value.Length > 0)
            {
                environment[name] = value;
            }
        }

        environment.TryAdd("PATH", "/usr/local/bin:/usr/bin:/bin");
        return environment;
    }

    /// <summary>The user message line, byte for byte what the executor writes (without the newline).</summary>
    public static string UserMessage(string prompt)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "user");
            writer.WriteString("session_id", string.Empty);
            writer.WriteStartObject("message");
            writer.WriteString("role", "user");
            writer.WriteStartArray("content");
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            writer.WriteString("text", prompt);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteNull("parent_tool_use_id");
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

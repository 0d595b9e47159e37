namespace Agor.Testing.Daemon;

/// <summary>How a test daemon is configured. Written as its config.yaml before it starts.</summary>
public sealed record DaemonProcessOptions
{
    /// <summary>The scripted model server the agents talk to (credentials.anthropic.base_url).</summary>
    public required string ModelBaseUrl { get; init; }

    /// <summary>The key the daemon hands out (credentials.anthropic.api_key); null configures none.</summary>
    public string? ApiKey { get; init; } = "sk-ant-daemon-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>The Claude Code CLI (agents.claude_code.path).</summary>
    public required string ClaudePath { get; init; }

    /// <summary>More lines of the <c>credentials:</c> section, e.g. <c>openai:</c> and its indented keys.</summary>
    public IReadOnlyList<string> Credentials { get; init; } = [];

    /// <summary>More lines of the <c>agents:</c> section, e.g. <c>codex:</c> and its indented <c>path:</c>.</summary>
    public IReadOnlyList<string> Agents { get; init; } = [];

    /// <summary>Extra lines of the <c>daemon:</c> section, e.g. <c>max_title_length: 16</c>.</summary>
    public IReadOnlyList<string> Daemon { get; init; } = [];

    /// <summary>Extra lines of the <c>execution:</c> section, e.g. <c>max_executors: 1</c>.</summary>
    public IReadOnlyList<string> Execution { get; init; } = [];

    /// <summary>Lines of the <c>limits:</c> section, e.g. <c>max_messages_per_task: 100</c>.</summary>
    public IReadOnlyList<string> Limits { get; init; } = [];

    /// <summary>Lines of the <c>sandbox:</c> section, e.g. <c>mode: required</c> or <c>pids_max: 64</c>.</summary>
    public IReadOnlyList<string> Sandbox { get; init; } = [];

    /// <summary>Lines of the <c>network:</c> section, e.g. <c>allowed_hosts: [example.com]</c>.</summary>
    public IReadOnlyList<string> Network { get; init; } = [];

    /// <summary>Extra variables in the daemon's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>agor</c> to run; null runs the one built beside the tests.</summary>
    public string? AgorPath { get; init; }

    /// <summary>An existing AGOR_HOME to reuse (a restart); null creates a fresh one.</summary>
    public string? Home { get; init; }
}

using Agor.Testing.ScriptedGemini;
using Agor.Testing.ScriptedOpenAI;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Agents;

/// <summary>
/// One of the scripted model servers, seen the same way by specs that run for every agent: what to
/// answer next, and what the agent's CLI sent (the key it presented, the tool outputs, the texts).
/// </summary>
internal abstract class AgentModel : IAsyncDisposable
{
    /// <summary>The session's <c>agent</c>.</summary>
    public abstract string Agent { get; }

    /// <summary>The credentials service (<c>credentials.&lt;service&gt;</c>).</summary>
    public abstract string Service { get; }

    /// <summary>The real key the daemon is configured with; only the scripted server should ever see it.</summary>
    public string RealKey { get; } = "sk-real-" + Guid.NewGuid().ToString("N");

    /// <summary>The upstream's root for <c>credentials.&lt;service&gt;.base_url</c>.</summary>
    public abstract string RootUrl { get; }

    /// <summary>The daemon's config lines for this agent: its credentials, and its program under <c>agents:</c>.</summary>
    public IReadOnlyList<string> CredentialLines => [$"{Service}:", $"  api_key: \"{RealKey}\"", $"  base_url: \"{RootUrl}\""];

    public abstract IReadOnlyList<string> AgentLines { get; }

    /// <summary>The conversation requests so far, in order.</summary>
    public abstract int ConversationRequests { get; }

    /// <summary>The key each conversation request presented.</summary>
    public abstract IReadOnlyList<string?> PresentedKeys { get; }

    /// <summary>Every tool output the CLI sent back, in order.</summary>
    public abstract IReadOnlyList<string> ToolOutputs { get; }

    /// <summary>All the text of the last conversation request (the history the model is shown).</summary>
    public abstract string LastRequestText { get; }

    public static async Task<AgentModel> StartAsync(string agent) => agent switch
    {
        "codex" => new CodexModel(CodexCli.Require(), await ScriptedOpenAIServer.StartAsync()),
        "gemini" => new GeminiModel(GeminiCli.Require(), await ScriptedGeminiServer.StartAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(agent), agent, "an agent of this spec: codex or gemini"),
    };

    public abstract void EnqueueText(params string[] chunks);

    public abstract void EnqueueSlowText(int count, TimeSpan delay);

    public abstract void EnqueueShell(string command);

    /// <summary>A file edit creating <paramref name="relativePath"/> under <paramref name="cwd"/>.</summary>
    public abstract void EnqueueWriteFile(string cwd, string relativePath, string content);

    public abstract ValueTask DisposeAsync();

    private sealed class CodexModel(string program, ScriptedOpenAIServer server) : AgentModel
    {
        public override string Agent => "codex";

        public override string Service => "openai";

        public override string RootUrl => server.BaseUrl[..^"/v1".Length];

        public override IReadOnlyList<string> AgentLines => ["codex:", $"  path: \"{program}\""];

        public override int ConversationRequests => server.ResponsesRequests.Count;

        public override IReadOnlyList<string?> PresentedKeys => [.. server.ResponsesRequests.Select(r => r.Authorization?.StartsWith("Bearer ", StringComparison.Ordinal) == true ? r.Authorization["Bearer ".Length..] : r.Authorization)];

        public override IReadOnlyList<string> ToolOutputs => [.. server.ResponsesRequests.SelectMany(r => r.ToolOutputs).Select(o => o.Output).Distinct()];

        public override string LastRequestText => server.ResponsesRequests[^1].BodyText;

        public override void EnqueueText(params string[] chunks) => server.Script.EnqueueText(chunks);

        public override void EnqueueSlowText(int count, TimeSpan delay) => server.Script.EnqueueSlowText(count, delay);

        public override void EnqueueShell(string command) => server.Script.EnqueueShellCommand(command);

        public override void EnqueueWriteFile(string cwd, string relativePath, string content) => server.Script.EnqueueAddFile(relativePath, content);

        public override ValueTask DisposeAsync() => server.DisposeAsync();
    }

    private sealed class GeminiModel(string program, ScriptedGeminiServer server) : AgentModel
    {
        public override string Agent => "gemini";

        public override string Service => "google";

        public override string RootUrl => server.BaseUrl.TrimEnd('/');

        public override IReadOnlyList<string> AgentLines => ["gemini:", $"  path: \"{program}\""];

        public override int ConversationRequests => server.ConversationRequests.Count;

        public override IReadOnlyList<string?> PresentedKeys => [.. server.ConversationRequests.Select(r => r.ApiKey)];

        public override IReadOnlyList<string> ToolOutputs => [.. server.ConversationRequests.SelectMany(r => r.FunctionResponses).Select(f => f.Response).Distinct()];

        public override string LastRequestText => server.ConversationRequests[^1].Body.GetRawText();

        public override void EnqueueText(params string[] chunks) => server.Script.EnqueueText(chunks);

        public override void EnqueueSlowText(int count, TimeSpan delay) => server.Script.EnqueueSlowText(count, delay);

        public override void EnqueueShell(string command) => server.Script.EnqueueShellCommand(command);

        public override void EnqueueWriteFile(string cwd, string relativePath, string content) => server.Script.EnqueueWriteFile(Path.Combine(cwd, relativePath), content);

        public override ValueTask DisposeAsync() => server.DisposeAsync();
    }
}

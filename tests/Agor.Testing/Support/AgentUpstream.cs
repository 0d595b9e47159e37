using Agor.Testing.ScriptedGemini;
using Agor.Testing.ScriptedOpenAI;

namespace Agor.Testing.Support;

/// <summary>
/// The scripted model server of a non-Anthropic agent (Codex's OpenAI Responses, Gemini's
/// generateContent), with the daemon's config lines that point the agent's credentials at it and
/// name its real CLI, and the few turns the CLI and page specs script alike.
/// </summary>
public sealed class AgentUpstream : IAsyncDisposable
{
    private readonly ScriptedOpenAIServer? _openAI;
    private readonly ScriptedGeminiServer? _gemini;
    private readonly string _program;

    private AgentUpstream(string agent, string program, ScriptedOpenAIServer? openAI, ScriptedGeminiServer? gemini)
    {
        Agent = agent;
        _program = program;
        _openAI = openAI;
        _gemini = gemini;
    }

    /// <summary>The session's <c>agent</c>: codex or gemini.</summary>
    public string Agent { get; }

    /// <summary>The real key the daemon holds; only the scripted server should see it.</summary>
    public string RealKey { get; } = "sk-real-" + Guid.NewGuid().ToString("N");

    /// <summary>Lines under <c>credentials:</c> for this agent's upstream.</summary>
    public IReadOnlyList<string> CredentialLines =>
        [$"{(_openAI is not null ? "openai" : "google")}:", $"  api_key: \"{RealKey}\"", $"  base_url: \"{RootUrl}\""];

    /// <summary>Lines under <c>agents:</c> naming the real CLI.</summary>
    public IReadOnlyList<string> AgentLines => [$"{Agent}:", $"  path: \"{_program}\""];

    private string RootUrl => _openAI is not null ? _openAI.BaseUrl[..^"/v1".Length] : _gemini!.BaseUrl.TrimEnd('/');

    /// <summary>Starts the scripted server of <paramref name="agent"/>; skips when its CLI is missing.</summary>
    public static async Task<AgentUpstream> StartAsync(string agent) => agent switch
    {
        "codex" => new AgentUpstream(agent, CodexCli.Require(), await ScriptedOpenAIServer.StartAsync(), null),
        "gemini" => new AgentUpstream(agent, GeminiCli.Require(), null, await ScriptedGeminiServer.StartAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(agent), agent, "codex or gemini"),
    };

    /// <summary>A turn that streams <paramref name="chunks"/> as the model's answer.</summary>
    public AgentUpstream EnqueueText(params string[] chunks)
    {
        if (_openAI is not null)
        {
            _openAI.Script.EnqueueText(chunks);
        }
        else
        {
            _gemini!.Script.EnqueueText(chunks);
        }

        return this;
    }

    /// <summary>A turn in which the model runs <paramref name="command"/> in the agent's shell tool.</summary>
    public AgentUpstream EnqueueShell(string command)
    {
        if (_openAI is not null)
        {
            _openAI.Script.EnqueueShellCommand(command);
        }
        else
        {
            _gemini!.Script.EnqueueShellCommand(command);
        }

        return this;
    }

    public async ValueTask DisposeAsync()
    {
        if (_openAI is not null)
        {
            await _openAI.DisposeAsync();
        }

        if (_gemini is not null)
        {
            await _gemini.DisposeAsync();
        }
    }
}

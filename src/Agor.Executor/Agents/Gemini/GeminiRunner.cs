using Microsoft.Extensions.Logging;

namespace Agor.Executor.Agents.Gemini;

/// <summary>
/// Runs the Gemini CLI in its Agent Client Protocol mode (<c>gemini --acp</c>) for one prompt: a
/// per-session GEMINI_CLI_HOME with our settings.json, the key and gateway URL in its environment,
/// an explicit model, and the conversation driven by <see cref="GeminiConversation"/>.
/// </summary>
internal sealed class GeminiRunner(ILogger logger, TimeSpan interruptGrace, Guard.GuardedLaunch launch) : IAgentRunner
{
    public const string DisplayName = "Gemini CLI";

    /// <summary>The model when the context names none: an explicit one also spares the CLI's routing call per turn.</summary>
    public const string DefaultModel = "gemini-2.5-flash";

    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(3);

    /// <summary>Variables that would widen what the agent may do or where it runs; never passed on from the daemon's context.</summary>
    private static readonly string[] Withheld = ["GEMINI_CLI_TRUST_WORKSPACE", "GEMINI_SANDBOX", "GEMINI_CLI_SYSTEM_SETTINGS_PATH", "GEMINI_CLI_SYSTEM_DEFAULTS_PATH"];

    public string Agent => "gemini";

    public string Service => "google";

    public IReadOnlyList<string> CredentialVariables { get; } =
        ["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL", "GOOGLE_GENAI_API_VERSION", "GEMINI_API_KEY_AUTH_MECHANISM", "GEMINI_CLI_CUSTOM_HEADERS"];

    public void AddCredentials(IDictionary<string, string> environment, string apiKey, string? baseUrl)
    {
        ArgumentNullException.ThrowIfNull(environment);
        environment["GEMINI_API_KEY"] = apiKey;
        if (baseUrl is { Length: > 0 })
        {
            environment["GOOGLE_GEMINI_BASE_URL"] = baseUrl;
        }
    }

    public async Task<AgentOutcome> RunAsync(AgentRunRequest request, IAgentHost host, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (home, problem) = GeminiHome.Prepare(request);
        if (home is null)
        {
            return AgentOutcome.Failed(ErrorCodes.AgentError, $"{DisplayName} was not started: {problem}.");
        }

        var outcome = await RunStartedAsync(request with { Environment = EnvironmentFor(request, home) }, host, stop);
        home.Finish(outcome.AgentSessionId);
        return outcome;
    }

    public static IReadOnlyList<string> Arguments(AgentRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // One argument, so a model name can never be read as another option.
        return ["--acp", $"--model={(request.Model is { Length: > 0 } model ? model : DefaultModel)}"];
    }

    private static Dictionary<string, string> EnvironmentFor(AgentRunRequest request, GeminiHome home)
    {
        var environment = new Dictionary<string, string>(request.Environment, StringComparer.Ordinal);
        foreach (var name in Withheld)
        {
            environment.Remove(name);
        }

        environment["GEMINI_CLI_HOME"] = home.AgentPath;

        // Without it the CLI re-spawns itself and the pid we hold ignores signals.
        environment["GEMINI_CLI_NO_RELAUNCH"] = "true";
        if (home.TempDirectory is { } temp)
        {
            environment["TMPDIR"] = temp;
        }

        return environment;
    }

    private async Task<AgentOutcome> RunStartedAsync(AgentRunRequest request, IAgentHost host, CancellationToken stop)
    {
        var (agent, failure) = AgentLaunch.Start(request, Arguments(request), launch, logger, DisplayName);
        if (agent is null)
        {
            return failure!;
        }

        await using (agent)
        {
            var conversation = new GeminiConversation(agent, request, host, interruptGrace);
            try
            {
                return await conversation.RunAsync(stop);
            }
            finally
            {
                await agent.CloseInputAsync();
                await agent.EndAsync(ExitGrace);
                await conversation.DisposeAsync();
            }
        }
    }
}

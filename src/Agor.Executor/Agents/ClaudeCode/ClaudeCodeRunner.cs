using System.Collections.Concurrent;
using System.Text.Json;
using Agor.Executor.Logging;
using Agor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Agor.Executor.Agents.ClaudeCode;

/// <summary>
/// Drives the Claude Code CLI in headless stream-json mode: the prompt goes in as a user message,
/// every stdout frame comes back as an event, <c>can_use_tool</c> control requests become
/// permission questions, and the <c>result</c> frame decides the outcome.
/// </summary>
internal sealed class ClaudeCodeRunner(ILogger logger, TimeSpan interruptGrace, Guard.GuardedLaunch launch) : IAgentRunner
{
    private const string DisplayName = "Claude Code";

    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(3);

    public string Agent => "claude-code";

    public string Service => "anthropic";

    public IReadOnlyList<string> CredentialVariables { get; } = ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"];

    public void AddCredentials(IDictionary<string, string> environment, string apiKey, string? baseUrl)
    {
        ArgumentNullException.ThrowIfNull(environment);
        environment["ANTHROPIC_API_KEY"] = apiKey;
        if (baseUrl is { Length: > 0 })
        {
            environment["ANTHROPIC_BASE_URL"] = baseUrl;
        }
    }

    public async Task<AgentOutcome> RunAsync(AgentRunRequest request, IAgentHost host, CancellationToken stop)
    {
        var (agent, failure) = AgentLaunch.Start(request, ClaudeCodeArguments.For(request), launch, logger, DisplayName);
        if (agent is null)
        {
            return failure!;
        }

        await using (agent)
        {
            return await DriveAsync(agent, request, host, stop);
        }
    }

    private async Task<AgentOutcome> DriveAsync(AgentProcess agent, AgentRunRequest request, IAgentHost host, CancellationToken stop)
    {
        var interruptRequested = 0;
        var permissionQuestions = new ConcurrentDictionary<string, CancellationTokenSource>(StringComparer.Ordinal);
        var answers = new List<Task>();
        using var escalation = new CancellationTokenSource();
        using var killWhenEscalated = escalation.Token.Register(agent.KillTree);
        using var interruptWhenStopped = stop.Register(() =>
        {
            // Ask nicely first (the CLI answers within milliseconds and ends the turn); kill the tree if it does not.
            Interlocked.Exchange(ref interruptRequested, 1);
            _ = agent.WriteLineAsync(ClaudeCodeFrames.Interrupt($"agor-interrupt-{Guid.NewGuid():N}"));
            escalation.CancelAfter(interruptGrace);
        });

        AgentOutcome? outcome = null;
        var sawOutput = false;
        try
        {
            await agent.WriteLineAsync(ClaudeCodeFrames.UserMessage(request.Prompt));
            while (await agent.ReadLineAsync(CancellationToken.None) is { } line)
            {
                sawOutput = true;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(line);
                }
                catch (JsonException ex)
                {
                    await host.ReportErrorAsync(ErrorCodes.MalformedOutput, $"Claude Code wrote a line that is not JSON ({ex.Message}); it was skipped.");
                    continue;
                }

                using (document)
                {
                    var frame = document.RootElement;
                    var type = frame.TryGetProperty("type", out var t) ? t.GetString() : null;
                    switch (type)
                    {
                        case "control_request":
                            answers.Add(AnswerControlRequestAsync(agent, host, frame.Clone(), permissionQuestions));
                            continue;
                        case "control_cancel_request":
                            if (frame.TryGetProperty("request_id", out var cancelled) && permissionQuestions.TryRemove(cancelled.GetString() ?? string.Empty, out var question))
                            {
                                await question.CancelAsync();
                            }

                            continue;
                    }

                    if (ClaudeCodeEvents.Classify(frame) is { } eventType)
                    {
                        await host.ReportEventAsync(eventType, frame);
                    }

                    if (type == "result")
                    {
                        outcome = ClaudeCodeResult.ToOutcome(frame, Volatile.Read(ref interruptRequested) == 1);

                        // One prompt per run: end of input lets the CLI exit once the turn is done.
                        // The CLI takes tens of milliseconds more to exit (it saves the session
                        // for --resume); the outcome need not wait for that.
                        await agent.CloseInputAsync();
                        await host.OutcomeKnownAsync(outcome);
                    }
                }
            }
        }
        finally
        {
            await agent.CloseInputAsync();
            await agent.EndAsync(ExitGrace);
            foreach (var question in permissionQuestions.Values)
            {
                await question.CancelAsync();
            }

            await Task.WhenAll(answers);
        }

        return outcome ?? AgentLaunch.EndedWithoutResult(agent, request, Volatile.Read(ref interruptRequested) == 1, sawOutput, DisplayName);
    }

    private static async Task AnswerControlRequestAsync(
        AgentProcess agent, IAgentHost host, JsonElement frame, ConcurrentDictionary<string, CancellationTokenSource> questions)
    {
        var requestId = frame.TryGetProperty("request_id", out var id) ? id.GetString() ?? string.Empty : string.Empty;
        var request = frame.TryGetProperty("request", out var r) ? r : default;
        var subtype = request.ValueKind == JsonValueKind.Object && request.TryGetProperty("subtype", out var s) ? s.GetString() : null;
        if (subtype != "can_use_tool")
        {
            await agent.WriteLineAsync(ClaudeCodeFrames.Unsupported(requestId, subtype ?? "(none)"));
            return;
        }

        var toolName = request.TryGetProperty("tool_name", out var name) ? name.GetString() ?? "unknown" : "unknown";
        var input = request.TryGetProperty("input", out var i) ? i : JsonDocument.Parse("{}").RootElement;
        var toolUseId = request.TryGetProperty("tool_use_id", out var use) ? use.GetString() : null;

        using var cancellation = new CancellationTokenSource();
        questions[requestId] = cancellation;
        var answer = await host.RequestPermissionAsync(toolName, input, toolUseId, cancellation.Token);
        if (!questions.TryRemove(requestId, out _))
        {
            // The CLI withdrew the question (an interrupt); it expects no answer.
            return;
        }

        await agent.WriteLineAsync(answer.Approved
            ? ClaudeCodeFrames.Allow(requestId, input)
            : ClaudeCodeFrames.Deny(requestId, answer.Reason ?? $"Permission to use {toolName} was denied."));
    }
}

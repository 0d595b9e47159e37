using System.Diagnostics;
using System.Text.Json;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// The Gemini baseline: <c>gemini --acp</c> with the arguments, environment and fresh
/// GEMINI_CLI_HOME (settings.json and all) the executor's Gemini runner gives it unconfined
/// (<c>GeminiRunner</c>, <c>GeminiHome</c>; internal to the executor, so rebuilt here), driven by
/// the bench: initialize, session/new, session/prompt. Clock from just before
/// <c>Process.Start</c> to the first <c>agent_message_chunk</c> and to the prompt's result; then
/// stdin is closed and the exit timed.
/// </summary>
internal static class GeminiDirectRun
{
    public const string Model = "gemini-2.5-flash";
    private const string Settings = """{"privacy":{"usageStatisticsEnabled":false},"general":{"maxAttempts":2,"retryFetchErrors":false}}""";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    public static ProcessStartInfo StartInfo(PromptAgent agent, PromptSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(sandbox);
        var environment = AgentCommand.Common(sandbox.ExecutorEnvironment);
        environment["GEMINI_API_KEY"] = agent.ApiKey;
        environment["GOOGLE_GEMINI_BASE_URL"] = agent.BaseUrl;

        // GeminiHome, unconfined and new: $HOME/.agor/gemini/new-<id>, our settings, an empty TMPDIR inside.
        var home = DirectStart.Private(Path.Combine(DirectStart.Private(Path.Combine(sandbox.Home, ".agor", "gemini")), $"new-{Guid.NewGuid():N}"));
        var settings = Path.Combine(DirectStart.Private(Path.Combine(home, ".gemini")), "settings.json");
        using (var stream = new FileStream(settings, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(Settings));
        }

        environment["GEMINI_CLI_HOME"] = home;
        environment["GEMINI_CLI_NO_RELAUNCH"] = "true";
        environment["TMPDIR"] = DirectStart.Private(Path.Combine(home, "tmpdir"));
        return DirectStart.Info(agent.Path, ["--acp", $"--model={Model}"], environment, sandbox.WorkingDirectory);
    }

    public static async Task<PromptTimes> RunAsync(PromptAgent agent, PromptSandbox sandbox, CancellationToken cancellationToken = default)
    {
        var startInfo = StartInfo(agent, sandbox);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        var firstDelta = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);

        var startUtc = DateTimeOffset.UtcNow;
        var start = Stopwatch.GetTimestamp();
        await using var client = StdioRpcClient.Start(startInfo, withVersion: true, (method, parameters, at) =>
        {
            if (method == "session/update" && parameters.ValueKind == JsonValueKind.Object
                && parameters.TryGetProperty("update", out var update) && update.ValueKind == JsonValueKind.Object
                && update.TryGetProperty("sessionUpdate", out var kind) && kind.ValueEquals("agent_message_chunk"u8))
            {
                firstDelta.TrySetResult(at);
            }
        });
        try
        {
            _ = await client.RequestAsync("initialize", new { protocolVersion = 1, clientCapabilities = new { }, clientInfo = new { name = "agor-executor", version = "1" } }, timeout.Token);
            var session = await client.RequestAsync("session/new", new { cwd = sandbox.WorkingDirectory, mcpServers = Array.Empty<object>() }, timeout.Token);
            var sessionId = session.GetProperty("sessionId").GetString();
            var result = await client.RequestAsync("session/prompt", new { sessionId, prompt = new[] { new { type = "text", text = PromptContext.Prompt } } }, timeout.Token);
            var end = Stopwatch.GetTimestamp();
            var stopReason = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("stopReason", out var r) ? r.GetString() : null;
            if (stopReason != "end_turn" || !firstDelta.Task.IsCompleted)
            {
                throw new InvalidOperationException($"Gemini's prompt ended '{stopReason}'{(firstDelta.Task.IsCompleted ? string.Empty : " without a text chunk")}: {result.GetRawText()}");
            }

            var delta = await firstDelta.Task;
            var exited = await client.CloseAndWaitAsync(TimeSpan.FromSeconds(10));
            return new PromptTimes(agent.RequestOffsetMs(startUtc), Milliseconds(start, delta), Milliseconds(start, end), Milliseconds(start, exited));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Gemini run directly did not finish within {RunTimeout.TotalSeconds:0} s ({(firstDelta.Task.IsCompleted ? "streamed, no prompt result" : "no text chunk")}).");
        }
    }

    private static double Milliseconds(long start, long end) => Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
}

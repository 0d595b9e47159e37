using System.Diagnostics;
using System.Text.Json;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// The Codex baseline: <c>codex app-server</c> with the command line, environment and state
/// directory the executor's Codex runner gives it unconfined (<c>CodexArguments</c>,
/// <c>CodexHome</c>; internal to the executor, so rebuilt here), driven by the bench: initialize,
/// initialized, thread/start, turn/start. Clock from just before <c>Process.Start</c> (as the
/// executor side's clock includes its start of the CLI) to the first <c>item/agentMessage/delta</c>
/// and to <c>turn/completed</c>; then stdin is closed and the exit timed.
/// </summary>
internal static class CodexDirectRun
{
    public const string KeyVariable = "AGOR_OPENAI_KEY";
    public const string Model = "gpt-5.5";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    public static IReadOnlyList<string> Arguments(string baseUrl) =>
    [
        "app-server",
        "--disable", "plugins",
        "--disable", "unbounded_connection_retries",
        "-c", "analytics.enabled=false",
        "-c", "check_for_update_on_startup=false",
        "-c", "model_provider=\"agor\"",
        "-c", "model_providers.agor.name=\"Agor gateway\"",
        "-c", $"model_providers.agor.base_url={JsonSerializer.Serialize(baseUrl)}",
        "-c", $"model_providers.agor.env_key=\"{KeyVariable}\"",
        "-c", "model_providers.agor.wire_api=\"responses\"",
        "-c", "model_providers.agor.request_max_retries=1",
        "-c", "model_providers.agor.stream_max_retries=1",
        "-c", $"model=\"{Model}\"",
        "-c", "sandbox_mode=\"danger-full-access\"",
    ];

    /// <summary>The native binary behind the npm wrapper, as <c>CodexProgram.Resolve</c> finds it (the executor runs that, not the Node script).</summary>
    public static string NativeBinary(string wrapper)
    {
        var real = Agor.Bench.Native.RealPath.Of(wrapper);
        if (!real.EndsWith("/bin/codex.js", StringComparison.Ordinal))
        {
            return wrapper;
        }

        var scope = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(real)))!;
        var native = Path.Combine(scope, "codex-linux-x64", "vendor", "x86_64-unknown-linux-musl", "bin", "codex");
        return File.Exists(native) ? native : wrapper;
    }

    public static ProcessStartInfo StartInfo(PromptAgent agent, PromptSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(sandbox);
        var environment = AgentCommand.Common(sandbox.ExecutorEnvironment);
        environment[KeyVariable] = agent.ApiKey;

        // CodexHome, unconfined: $HOME/.codex, and a TMPDIR of its own since that home lies under /tmp.
        environment["CODEX_HOME"] = DirectStart.Private(Path.Combine(sandbox.Home, ".codex"));
        environment["TMPDIR"] = DirectStart.Private(Path.Combine(sandbox.Home, ".cache", "agor-tmp"));
        return DirectStart.Info(NativeBinary(agent.Path), Arguments(agent.BaseUrl), environment, sandbox.WorkingDirectory);
    }

    public static async Task<PromptTimes> RunAsync(PromptAgent agent, PromptSandbox sandbox, CancellationToken cancellationToken = default)
    {
        var startInfo = StartInfo(agent, sandbox);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        var firstDelta = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var completed = new TaskCompletionSource<(long At, JsonElement Params)>(TaskCreationOptions.RunContinuationsAsynchronously);

        var startUtc = DateTimeOffset.UtcNow;
        var start = Stopwatch.GetTimestamp();
        await using var client = StdioRpcClient.Start(startInfo, withVersion: false, (method, parameters, at) =>
        {
            switch (method)
            {
                case "item/agentMessage/delta":
                    firstDelta.TrySetResult(at);
                    break;
                case "turn/completed":
                    completed.TrySetResult((at, parameters.Clone()));
                    break;
            }
        });
        try
        {
            _ = await client.RequestAsync("initialize", new { clientInfo = new { name = "agor", title = "Agor", version = "0.0.0" }, capabilities = (object?)null }, timeout.Token);
            await client.NotifyAsync("initialized", timeout.Token);
            var thread = await client.RequestAsync("thread/start", new { cwd = sandbox.WorkingDirectory, approvalPolicy = "untrusted", sandbox = "danger-full-access", model = Model }, timeout.Token);
            var threadId = thread.GetProperty("thread").GetProperty("id").GetString();
            _ = await client.RequestAsync("turn/start", new { threadId, input = new[] { new { type = "text", text = PromptContext.Prompt, text_elements = Array.Empty<object>() } } }, timeout.Token);
            var delta = await firstDelta.Task.WaitAsync(timeout.Token);
            var (end, turn) = await completed.Task.WaitAsync(timeout.Token);
            var status = turn.TryGetProperty("turn", out var t) && t.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (status != "completed")
            {
                throw new InvalidOperationException($"Codex's turn ended '{status}': {turn.GetRawText()}");
            }

            var exited = await client.CloseAndWaitAsync(TimeSpan.FromSeconds(10));
            return new PromptTimes(agent.RequestOffsetMs(startUtc), Milliseconds(start, delta), Milliseconds(start, end), Milliseconds(start, exited));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Codex run directly did not finish within {RunTimeout.TotalSeconds:0} s ({(firstDelta.Task.IsCompleted ? "streamed, no turn/completed" : "no text delta")}).");
        }
    }

    private static double Milliseconds(long start, long end) => Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
}

using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// The baseline: the same Claude Code command the executor runs (same arguments, environment and
/// working directory, started the way <c>AgentProcess</c> starts it), the same user message on
/// stdin, and its stdout read line by line and parsed as JSON, as the executor does. The clock
/// starts just before <c>Process.Start</c> and stops at the first text delta and at the
/// <c>result</c> line; then stdin is closed, as the executor closes it, and the exit is timed too.
/// </summary>
internal static class DirectPromptRun
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    public static async Task<PromptTimes> RunAsync(PromptContext context, PromptSandbox sandbox, CancellationToken cancellationToken = default)
    {
        var startInfo = StartInfo(context, sandbox);
        var userMessage = AgentCommand.UserMessage(PromptContext.Prompt) + "\n";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);

        var startUtc = DateTimeOffset.UtcNow;
        var start = Stopwatch.GetTimestamp();
        using var process = Process.Start(startInfo) ?? throw new Win32Exception($"could not start {startInfo.FileName}");
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        long? firstDelta = null;
        long? result = null;
        string? resultSubtype = null;
        try
        {
            await process.StandardInput.WriteAsync(userMessage);
            await process.StandardInput.FlushAsync(timeout.Token);
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                using var document = JsonDocument.Parse(line);
                var frame = document.RootElement;
                if (firstDelta is null && StreamFrames.IsContentBlockDelta(frame))
                {
                    firstDelta = Stopwatch.GetTimestamp();
                }
                else if (result is null && StreamFrames.IsResult(frame))
                {
                    result = Stopwatch.GetTimestamp();
                    resultSubtype = StreamFrames.ResultSubtype(frame);

                    // One prompt per run, as the executor: end of input lets the CLI exit.
                    process.StandardInput.Close();
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            var exited = Stopwatch.GetTimestamp();
            if (firstDelta is not { } delta || result is not { } end)
            {
                throw new InvalidOperationException($"Claude Code exited with code {process.ExitCode} without {(firstDelta is null ? "a text delta" : "a result")}: {(await stderr).Trim()}");
            }

            if (resultSubtype != "success")
            {
                throw new InvalidOperationException($"Claude Code's result was '{resultSubtype}': {(await stderr).Trim()}");
            }

            return new PromptTimes(context.RequestOffsetMs(startUtc), Milliseconds(start, delta), Milliseconds(start, end), Milliseconds(start, exited));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Claude Code run directly did not finish within {RunTimeout.TotalSeconds:0} s ({(firstDelta is null ? "no text delta" : result is null ? "streamed, no result" : "no exit")}).");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            await stderr;
        }
    }

    /// <summary>As <c>AgentProcess.Start</c>: redirected UTF-8 stdio, the task's cwd, a cleared environment with exactly the agent's variables.</summary>
    public static ProcessStartInfo StartInfo(PromptContext context, PromptSandbox sandbox)
    {
        var startInfo = new ProcessStartInfo(context.ClaudePath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = sandbox.WorkingDirectory,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in AgentCommand.Arguments(PromptContext.PermissionMode))
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in AgentCommand.Environment(sandbox.ExecutorEnvironment, context.ApiKey, context.Model.BaseUrl))
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    private static double Milliseconds(long start, long end) => Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
}

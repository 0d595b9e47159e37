using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agor.Testing.Tests.Support;

/// <summary>
/// One real Claude Code CLI process in headless stream-json mode, in a fresh temporary cwd and HOME,
/// with its environment cleared but for PATH and what points it at the scripted model server.
/// </summary>
internal sealed class ClaudeCliSession : IAsyncDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly string _root;
    private readonly StringBuilder _standardError = new();
    private readonly Task _standardErrorPump;
    private readonly List<JsonElement> _frames = [];
    private int _disposed;

    private ClaudeCliSession(Process process, string root, string workingDirectory)
    {
        _process = process;
        _root = root;
        WorkingDirectory = workingDirectory;
        _standardErrorPump = PumpStandardErrorAsync();
    }

    /// <summary>The process's cwd, a fresh empty directory.</summary>
    public string WorkingDirectory { get; }

    /// <summary>Every stdout frame read so far.</summary>
    public IReadOnlyList<JsonElement> Frames => _frames;

    /// <summary>What the process wrote to stderr so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_standardError)
            {
                return _standardError.ToString();
            }
        }
    }

    public static ClaudeCliSession Start(string executable, string baseUrl, string apiKey, params string[] extraArguments)
    {
        var root = Path.Combine(Path.GetTempPath(), "agor-claude-" + Guid.NewGuid().ToString("N")[..12]);
        var workingDirectory = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
        var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        var startInfo = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--output-format", "stream-json", "--input-format", "stream-json", "--verbose",
                     "--permission-prompt-tool", "stdio", "--include-partial-messages", "--permission-mode", "default"])
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var argument in extraArguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        startInfo.Environment["HOME"] = home;
        startInfo.Environment["ANTHROPIC_API_KEY"] = apiKey;
        startInfo.Environment["ANTHROPIC_BASE_URL"] = baseUrl;
        startInfo.Environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
        startInfo.Environment["DISABLE_AUTOUPDATER"] = "1";
        startInfo.Environment["CLAUDE_CODE_MAX_RETRIES"] = "0";
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {executable}.");
        return new ClaudeCliSession(process, root, workingDirectory);
    }

    public Task SendUserMessageAsync(string text, CancellationToken cancellationToken)
    {
        var message = new JsonObject
        {
            ["type"] = "user",
            ["session_id"] = "",
            ["message"] = new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
            },
            ["parent_tool_use_id"] = null,
        };
        return SendAsync(message, cancellationToken);
    }

    public async Task SendAsync(JsonNode message, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteAsync((message.ToJsonString() + "\n").AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
    }

    /// <summary>Answers a control request from the CLI with a success response.</summary>
    public Task RespondAsync(JsonElement controlRequest, JsonNode response, CancellationToken cancellationToken) =>
        SendAsync(
            new JsonObject
            {
                ["type"] = "control_response",
                ["response"] = new JsonObject
                {
                    ["subtype"] = "success",
                    ["request_id"] = controlRequest.GetProperty("request_id").GetString(),
                    ["response"] = response,
                },
            },
            cancellationToken);

    /// <summary>The next stdout frame; throws with the stderr text when stdout ends first.</summary>
    public async Task<JsonElement> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(cancellationToken)
                ?? throw new InvalidOperationException($"The CLI closed stdout after {_frames.Count} frames. stderr:\n{StandardError}");
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var frame = document.RootElement.Clone();
            _frames.Add(frame);
            return frame;
        }
    }

    /// <summary>Reads frames until one matches, and returns it.</summary>
    public async Task<JsonElement> ReadUntilAsync(Func<JsonElement, bool> predicate, CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(cancellationToken);
            if (predicate(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>
    /// Reads frames until the <c>result</c> frame, answering every <c>can_use_tool</c> request with
    /// what <paramref name="decide"/> returns for it (the <c>request</c> object); returns the result frame.
    /// </summary>
    public async Task<JsonElement> ReadToResultAsync(Func<JsonElement, JsonNode> decide, CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(cancellationToken);
            var type = frame.GetProperty("type").GetString();
            if (type == "result")
            {
                return frame;
            }

            if (type == "control_request" && frame.GetProperty("request").GetProperty("subtype").GetString() == "can_use_tool")
            {
                await RespondAsync(frame, decide(frame.GetProperty("request")), cancellationToken);
            }
        }
    }

    /// <summary>Reads to the result, refusing any permission request.</summary>
    public Task<JsonElement> ReadToResultAsync(CancellationToken cancellationToken) =>
        ReadToResultAsync(_ => Deny("unexpected permission request"), cancellationToken);

    public static JsonNode Allow(JsonElement canUseTool) =>
        new JsonObject { ["behavior"] = "allow", ["updatedInput"] = JsonNode.Parse(canUseTool.GetProperty("input").GetRawText()) };

    public static JsonNode Deny(string message) => new JsonObject { ["behavior"] = "deny", ["message"] = message };

    /// <summary>Closes stdin (the CLI then exits when idle) and waits for the exit code.</summary>
    public async Task<int> CloseAndWaitForExitAsync(CancellationToken cancellationToken)
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Closes stdin, waits a bounded time, kills the process tree if needed, and deletes the temporary directories.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process is already gone and the pipe broken.
        }

        using (var timeout = new CancellationTokenSource(ExitTimeout))
        {
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        try
        {
            // A tool's child process may hold stderr open after the CLI exits; do not wait on it forever.
            await _standardErrorPump.WaitAsync(ExitTimeout);
        }
        catch (TimeoutException)
        {
        }

        _process.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private async Task PumpStandardErrorAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await _process.StandardError.ReadAsync(buffer)) > 0)
        {
            lock (_standardError)
            {
                _standardError.Append(buffer, 0, read);
            }
        }
    }
}

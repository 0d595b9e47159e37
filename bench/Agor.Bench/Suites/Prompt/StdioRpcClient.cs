using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Agor.Bench.Suites.Prompt;

/// <summary>
/// The smallest client of a CLI that speaks newline-delimited JSON-RPC on its stdio (codex
/// app-server, gemini --acp), for the baselines: requests matched to their answers by id,
/// notifications handed to a callback with the moment their line was read, and any request of the
/// CLI refused (a text-only answer asks for none). Codex's dialect has no <c>jsonrpc</c> member;
/// ACP's has.
/// </summary>
internal sealed class StdioRpcClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly bool _withVersion;
    private readonly Action<string, JsonElement, long> _onNotification;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task<string> _stderr;
    private readonly Task _reading;
    private long _nextId;

    private StdioRpcClient(Process process, bool withVersion, Action<string, JsonElement, long> onNotification)
    {
        _process = process;
        _withVersion = withVersion;
        _onNotification = onNotification;
        _stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>Starts <paramref name="startInfo"/> (stdio redirected) and begins reading its stdout.</summary>
    public static StdioRpcClient Start(ProcessStartInfo startInfo, bool withVersion, Action<string, JsonElement, long> onNotification)
    {
        var process = Process.Start(startInfo) ?? throw new Win32Exception($"could not start {startInfo.FileName}");
        return new StdioRpcClient(process, withVersion, onNotification);
    }

    /// <summary>Sends a request whose params are <paramref name="parameters"/> (serialised as they are) and waits for its result.</summary>
    public async Task<JsonElement> RequestAsync(string method, object parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        await WriteAsync(Frame(id, method, parameters), cancellationToken);
        return await answer.Task.WaitAsync(cancellationToken);
    }

    public Task NotifyAsync(string method, CancellationToken cancellationToken) => WriteAsync(Frame(null, method, null), cancellationToken);

    /// <summary>Closes the CLI's stdin (its cue to exit, as the executor gives it) and waits for the exit; the timestamp of the exit, killing it when it does not go in time.</summary>
    public async Task<long> CloseAndWaitAsync(TimeSpan limit)
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"{_process.StartInfo.FileName} did not exit within {limit.TotalSeconds:0} s of the end of its input.");
        }

        return Stopwatch.GetTimestamp();
    }

    /// <summary>What the CLI wrote to stderr, for error messages (after it ended).</summary>
    public async Task<string> StderrAsync() => _process.HasExited ? (await _stderr).Trim() : "(still running)";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        await _reading;
        await _stderr;
        _process.Dispose();
        _writeLock.Dispose();
    }

    private string Frame(long? id, string method, object? parameters)
    {
        var buffer = new StringBuilder("{");
        if (_withVersion)
        {
            buffer.Append("\"jsonrpc\":\"2.0\",");
        }

        if (id is { } n)
        {
            buffer.Append("\"id\":").Append(n.ToString(CultureInfo.InvariantCulture)).Append(',');
        }

        buffer.Append("\"method\":").Append(JsonSerializer.Serialize(method));
        if (parameters is not null)
        {
            buffer.Append(",\"params\":").Append(JsonSerializer.Serialize(parameters));
        }

        return buffer.Append('}').ToString();
    }

    private async Task WriteAsync(string line, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _process.StandardInput.WriteAsync((line + "\n").AsMemory(), cancellationToken);
            await _process.StandardInput.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                var at = Stopwatch.GetTimestamp();
                if (string.IsNullOrWhiteSpace(line) || line[0] != '{')
                {
                    continue;
                }

                using var document = JsonDocument.Parse(line);
                var message = document.RootElement.Clone();
                var hasMethod = message.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String;
                var hasId = message.TryGetProperty("id", out var id);
                if (hasMethod && hasId)
                {
                    await RefuseAsync(id);
                }
                else if (hasMethod)
                {
                    _onNotification(method.GetString()!, message.TryGetProperty("params", out var p) ? p : default, at);
                }
                else if (hasId && id.ValueKind == JsonValueKind.Number && _pending.TryRemove(id.GetInt64(), out var answer))
                {
                    if (message.TryGetProperty("error", out var error))
                    {
                        answer.TrySetException(new InvalidOperationException($"the CLI answered with an error: {error.GetRawText()}"));
                    }
                    else
                    {
                        answer.TrySetResult(message.TryGetProperty("result", out var result) ? result : default);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or JsonException)
        {
            // The CLI went away or wrote garbage; the waiting requests fail below.
        }

        foreach (var (_, answer) in _pending)
        {
            answer.TrySetException(new InvalidOperationException("the CLI closed its output before answering"));
        }
    }

    private async Task RefuseAsync(JsonElement id)
    {
        var frame = $"{{{(_withVersion ? "\"jsonrpc\":\"2.0\"," : string.Empty)}\"id\":{id.GetRawText()},\"error\":{{\"code\":-32601,\"message\":\"the bench answers no requests\"}}}}";
        try
        {
            await WriteAsync(frame, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Stdin is closed already: the run is over.
        }
    }
}

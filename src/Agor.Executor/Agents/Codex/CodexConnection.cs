using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;

namespace Agor.Executor.Agents.Codex;

/// <summary>
/// A JSON-RPC 2.0 client over the app-server's stdin and stdout, one message a line. The server
/// leaves out <c>"jsonrpc"</c> and numbers its own requests from 0, so a message is told apart by
/// its members alone: <c>method</c> and <c>id</c> is a request of the server, <c>method</c> alone
/// a notification, <c>id</c> with <c>result</c> or <c>error</c> the answer to one of ours. Requests
/// and notifications come out of <see cref="Incoming"/> in order of arrival.
/// </summary>
internal sealed class CodexConnection
{
    private readonly AgentProcess _agent;
    private readonly ConcurrentDictionary<long, (string Method, TaskCompletionSource<JsonElement> Answer)> _pending = new();
    private readonly Channel<JsonElement> _incoming = Channel.CreateUnbounded<JsonElement>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private long _nextId;
    private int _closed;

    public CodexConnection(AgentProcess agent, Func<string, ValueTask> malformedLine)
    {
        _agent = agent;
        Reading = ReadAsync(malformedLine);
    }

    /// <summary>The server's requests and notifications, cloned; completes when its stdout ends.</summary>
    public ChannelReader<JsonElement> Incoming => _incoming.Reader;

    /// <summary>True once the server wrote anything at all.</summary>
    public bool SawOutput { get; private set; }

    /// <summary>Completes when stdout has ended (the server exited or closed it).</summary>
    public Task Reading { get; }

    /// <summary>Sends a request and waits for its answer; throws <see cref="CodexRpcException"/> for an error answer or a server that is gone.</summary>
    public async Task<JsonElement> InvokeAsync(string method, Action<Utf8JsonWriter> parameters, CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = (method, answer);
        if (Volatile.Read(ref _closed) == 1 || !await _agent.WriteLineAsync(CodexFrames.Request(id, method, parameters)))
        {
            _pending.TryRemove(id, out _);
            throw new CodexRpcException(method, 0, "the app-server is gone");
        }

        try
        {
            return await answer.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public Task<bool> NotifyAsync(string method) => _agent.WriteLineAsync(CodexFrames.Notification(method));

    public Task<bool> WriteAsync(string line) => _agent.WriteLineAsync(line);

    private async Task ReadAsync(Func<string, ValueTask> malformedLine)
    {
        // Started before the first write, and yields at once: the caller gets the connection first.
        await Task.Yield();
        try
        {
            while (await _agent.ReadLineAsync(CancellationToken.None) is { } line)
            {
                SawOutput = true;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                JsonElement message;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    message = document.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    await malformedLine($"Codex wrote a line that is not JSON ({ex.Message}); it was skipped.");
                    continue;
                }

                if (message.ValueKind != JsonValueKind.Object)
                {
                    await malformedLine("Codex wrote a JSON line that is not an object; it was skipped.");
                    continue;
                }

                if (message.TryGetProperty("method", out var method))
                {
                    if (method.ValueKind != JsonValueKind.String)
                    {
                        await malformedLine("Codex wrote a message whose method is not a string; it was skipped.");
                        continue;
                    }

                    _incoming.Writer.TryWrite(message);
                }
                else if (message.TryGetProperty("id", out var id) && id.TryGetInt64(out var number) && _pending.TryRemove(number, out var pending))
                {
                    if (message.TryGetProperty("error", out var error))
                    {
                        var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
                        var text = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : error.GetRawText();
                        pending.Answer.TrySetException(new CodexRpcException(pending.Method, code, text));
                    }
                    else
                    {
                        pending.Answer.TrySetResult(message.TryGetProperty("result", out var result) ? result : default);
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            _incoming.Writer.TryComplete();

            // Set before the sweep: a request added after it sees the flag and fails itself.
            Interlocked.Exchange(ref _closed, 1);
            foreach (var (_, (method, answer)) in _pending)
            {
                answer.TrySetException(new CodexRpcException(method, 0, "the app-server exited before it answered"));
            }
        }
    }
}

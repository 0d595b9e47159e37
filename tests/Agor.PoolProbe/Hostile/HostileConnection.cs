using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agor.PoolProbe.Hostile;

/// <summary>
/// A raw JSON-RPC line connection for the hostile executor: it writes exactly the bytes a script
/// asks for (missing fields, repeats, floods), answers only what the script chooses to, and never
/// validates anything. Not the product's peer on purpose: a misbehaving peer must not be held back
/// by the checks it is meant to get past.
/// </summary>
internal sealed class HostileConnection(Socket socket) : IAsyncDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private long _nextId;

    /// <summary>Called for every request or notification the daemon sends; <c>id</c> is null for a notification.</summary>
    public Func<string, JsonElement?, JsonElement, Task>? OnMessage { get; set; }

    /// <summary>Called with the raw line of every answer that matches no call of ours (a batch's error answer has id null).</summary>
    public Action<string>? OnUnmatchedAnswer { get; set; }

    /// <summary>Reads until the daemon closes the connection; completes then.</summary>
    public async Task ReadLoopAsync(CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(_stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                var message = JsonDocument.Parse(line).RootElement.Clone();
                if (message.TryGetProperty("method", out var method))
                {
                    JsonElement? id = message.TryGetProperty("id", out var given) ? given : null;
                    var parameters = message.TryGetProperty("params", out var p) ? p : default;
                    // Each message on its own: a script that never answers must not stop the reading.
                    _ = Task.Run(() => OnMessage?.Invoke(method.GetString()!, id, parameters) ?? Task.CompletedTask, CancellationToken.None);
                }
                else if (message.TryGetProperty("id", out var responseId) && responseId.ValueKind == JsonValueKind.Number && responseId.TryGetInt64(out var number)
                    && _pending.TryRemove(number, out var waiter))
                {
                    waiter.TrySetResult(message);
                }
                else
                {
                    OnUnmatchedAnswer?.Invoke(line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        foreach (var waiter in _pending.Values)
        {
            waiter.TrySetException(new IOException("the daemon closed the connection"));
        }
    }

    /// <summary>Sends a request; returns "ok" or the error code the daemon answered, as text.</summary>
    public async Task<string> CallAsync(string method, JsonObject parameters, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        await WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        try
        {
            var answer = await waiter.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
            return answer.TryGetProperty("error", out var error)
                ? error.GetProperty("code").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)
                : "ok";
        }
        catch (TimeoutException)
        {
            return "no answer";
        }
        catch (IOException)
        {
            return "closed";
        }
    }

    /// <summary>Sends a request; returns the daemon's whole answer (its result or its error) as JSON text.</summary>
    public async Task<string> CallForAnswerAsync(string method, JsonObject parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        await WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        var answer = await waiter.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (answer.TryGetProperty("error", out var error) ? error : answer.GetProperty("result")).GetRawText();
    }

    public Task NotifyAsync(string method, JsonObject parameters) =>
        WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    public Task AnswerAsync(JsonElement? id, JsonNode result) =>
        WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id is { } given ? JsonNode.Parse(given.GetRawText()) : null, ["result"] = result });

    public async Task WriteAsync(JsonNode message)
    {
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString() + "\n");
        await WriteRawAsync(bytes);
    }

    /// <summary>Writes prepared lines as they are (a flood builds its own buffer).</summary>
    public async Task WriteRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeGate.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _writeGate.Dispose();
    }
}

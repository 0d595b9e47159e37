using System.Net.Sockets;
using System.Text.Json;
using Agor.Protocol.Wire;

namespace Agor.Fuzz;

/// <summary>
/// The child side of target 2: started by a real daemon as its executor (through a script that
/// <c>execs</c> this tool), it serves the daemon's ping and execute_prompt like agor-executor,
/// then sends the daemon mutated executor→daemon lines carrying the task's real token, with a
/// valid <c>get_execution_context</c> probe between them. Its figures go to the stats file.
/// </summary>
internal static class FuzzExecutor
{
    public const string Mode = "fuzz-executor";

    public static async Task<int> RunAsync(string socketPath, FuzzSettings settings, string statsPath)
    {
        Socket accepted;
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);
            Console.WriteLine("agor-executor ready");
            accepted = await listener.AcceptAsync();
        }

        File.Delete(socketPath);
        var task = new TaskCompletionSource<(string Token, string TaskId)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shutdown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = new LineConnection(accepted, line => Answer(line, task, shutdown));
        var (token, taskId) = await task.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var corpus = Corpus.ToDaemon(token, taskId);
        var mutator = new Mutator(settings.Seed);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long sent = 0, probes = 0;
        int hangs = 0, closes = 0;
        string Probe(string id) => $$$"""{"jsonrpc":"2.0","id":"{{{id}}}","method":"get_execution_context","params":{"session_token":"{{{token}}}"}}""";
        try
        {
            while (sent < settings.Lines)
            {
                await connection.SendAsync(mutator.Next(corpus), CancellationToken.None);
                sent++;
                if (sent % settings.ProbeEvery == 0)
                {
                    probes++;
                    if (!await connection.ProbeAsync(Probe, settings.ProbeBound, CancellationToken.None))
                    {
                        if (connection.Closed.IsCompleted)
                        {
                            closes++;
                        }
                        else
                        {
                            hangs++;
                        }

                        break;
                    }
                }
            }
        }
        catch (IOException)
        {
            closes++;
        }

        // The figures first: the daemon target stops watching once the task has ended.
        var stats = new FuzzReport("daemon", sent, probes, clock.Elapsed.TotalSeconds, 0, 0, 0, hangs, closes);
        await File.WriteAllTextAsync(statsPath, JsonSerializer.Serialize(stats, FuzzJson.Default.FuzzReport));
        if (!connection.Closed.IsCompleted)
        {
            var completion = $$$"""{"jsonrpc":"2.0","id":"probe-final","method":"report_completion","params":{"session_token":"{{{token}}}","task_id":"{{{taskId}}}","status":"completed"}}""";
            await connection.ProbeAsync(_ => completion, settings.ProbeBound, CancellationToken.None);
        }

        await Task.WhenAny(shutdown.Task, connection.Closed, Task.Delay(TimeSpan.FromSeconds(10)));
        return 0;
    }

    private static string? Answer(string line, TaskCompletionSource<(string, string)> task, TaskCompletionSource shutdown)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (!root.TryGetProperty("id", out var idElement) || !root.TryGetProperty("method", out var method))
            {
                return null;
            }

            var id = idElement.GetRawText();
            switch (method.GetString())
            {
                case "ping":
                    var pong = new PingResult(true, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Environment.ProcessId, 0, Environment.UserName);
                    return $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{{{JsonSerializer.Serialize(pong, ProtocolJsonContext.Default.PingResult)}}}}""";
                case "execute_prompt":
                    var parameters = root.GetProperty("params");
                    task.TrySetResult((parameters.GetProperty("session_token").GetString()!, parameters.GetProperty("task_id").GetString()!));
                    return $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"accepted":true}}""";
                case "stop_task":
                    return $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"stopped":true}}""";
                case "shutdown":
                    shutdown.TrySetResult();
                    return $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"status":"idle"}}""";
                default:
                    return $$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32601,"message":"not here"}}""";
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }
}

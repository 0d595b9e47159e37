using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agor.PoolProbe.Hostile;

/// <summary>
/// An executor gone bad, scripted by name (<c>hostile-executor --socket PATH --script NAME</c>), on a
/// real socket the daemon connects to as it would to agor-executor. It answers <c>ping</c> truthfully
/// (the daemon must get that far), then does what its script says with <c>execute_prompt</c>,
/// <c>stop_task</c> and <c>shutdown</c>, and records what it received and what the daemon answered.
/// </summary>
internal static class HostileExecutor
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = HostileOptions.Parse(args);
        if (!HostileScripts.ByName.TryGetValue(options.Script, out var script))
        {
            await Console.Error.WriteLineAsync($"unknown script '{options.Script}'; known: {string.Join(", ", HostileScripts.ByName.Keys)}");
            return 64;
        }

        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(options.SocketPath));
        listener.Listen(1);
        Console.WriteLine("agor-executor ready");
        var accepted = await listener.AcceptAsync();
        File.Delete(options.SocketPath);

        await using var connection = new HostileConnection(accepted);
        var record = new HostileRecord(options.RecordPath);
        var context = new HostileContext(connection, options, record);
        var shutdown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.OnMessage = (method, id, parameters) => OnMessageAsync(context, script, shutdown, method, id, parameters);
        var reading = connection.ReadLoopAsync();
        await Task.WhenAny(reading, shutdown.Task);
        return 0;
    }

    private static async Task OnMessageAsync(HostileContext context, HostileScript script, TaskCompletionSource shutdown, string method, JsonElement? id, JsonElement parameters)
    {
        switch (method)
        {
            case "ping":
                await context.Connection.AnswerAsync(id, new JsonObject
                {
                    ["pong"] = true,
                    ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                    ["pid"] = Environment.ProcessId,
                    ["uid"] = (int)Agor.Daemon.Interop.Native.geteuid(),
                    ["user"] = Environment.UserName,
                });
                break;
            case "execute_prompt":
                context.Task = parameters;
                context.Record.Write("execute_prompt", context.TaskId);
                context.ScriptRun = script.OnExecutePrompt(context, id);
                await context.ScriptRun;
                break;
            case "stop_task":
                context.Record.Write("stop_task", parameters.GetProperty("task_id").GetString()!);
                context.StopRequested.TrySetResult();
                if (script.AnswersStop)
                {
                    await context.Connection.AnswerAsync(id, new JsonObject { ["stopped"] = true });
                }

                break;
            case "shutdown":
                context.Record.Write("shutdown", script.AnswersShutdown ? "answered" : "ignored");
                if (script.AnswersShutdown)
                {
                    await Task.WhenAny(context.ScriptRun, Task.Delay(TimeSpan.FromSeconds(5)));
                    await context.Connection.AnswerAsync(id, new JsonObject { ["status"] = "idle" });
                    shutdown.TrySetResult();
                }

                break;
        }
    }
}

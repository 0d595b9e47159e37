using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;

namespace Agor.PoolProbe;

/// <summary>
/// An executor gone bad, for the daemon's token tests: it serves the daemon like agor-executor,
/// but on <c>execute_prompt</c> it first tries a forged token and the token of the previous task
/// (kept in a file beside its socket), then reports what the daemon answered as a message, and
/// completes the task properly with the token it was given.
/// </summary>
internal static class RogueExecutor
{
    public static async Task<int> RunAsync(string[] args)
    {
        var socketPath = args[Array.IndexOf(args, "--socket") + 1];
        var previousTokenFile = Path.Combine(Path.GetDirectoryName(socketPath)!, "previous-token");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        Console.WriteLine("agor-executor ready");
        var connection = await listener.AcceptAsync();
        File.Delete(socketPath);

        await using var peer = new JsonRpcPeer(new NetworkStream(connection, ownsSocket: true), new JsonRpcPeerOptions { Name = "daemon" });
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        peer.AddRequestHandler(Methods.Ping, (_, _) => ValueTask.FromResult(new PingResult(true, 0, Environment.ProcessId, 0, Environment.UserName)));
        peer.AddRequestHandler(Methods.Shutdown, (_, _) =>
        {
            done.TrySetResult();
            return ValueTask.FromResult(new ShutdownResult("idle"));
        });
        peer.AddRequestHandler(Methods.ExecutePrompt, (p, requestCancelled) =>
        {
            // The task outlives the request that started it, as in the real executor.
            _ = Task.Run(() => MisbehaveAsync(peer, p, previousTokenFile), CancellationToken.None);
            return ValueTask.FromResult(new ExecutePromptResult(true));
        });
        peer.Start();
        await Task.WhenAny(done.Task, peer.Completion);
        return 0;
    }

    private static async Task MisbehaveAsync(JsonRpcPeer peer, ExecutePromptParams task, string previousTokenFile)
    {
        var forged = await TryKeyAsync(peer, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        var replayed = File.Exists(previousTokenFile) ? await TryKeyAsync(peer, await File.ReadAllTextAsync(previousTokenFile)) : "none";
        await File.WriteAllTextAsync(previousTokenFile, task.SessionToken);
        var honest = await TryKeyAsync(peer, task.SessionToken);

        var findings = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["forged"] = forged, ["replayed"] = replayed, ["honest"] = honest }, FindingsJson.Default.DictionaryStringString);
        await peer.NotifyAsync(Methods.ReportMessage, new ReportMessageParams
        {
            SessionToken = task.SessionToken,
            TaskId = task.TaskId,
            Sequence = 1,
            EventType = EventTypes.System,
            EventData = findings,
        });
        await peer.InvokeAsync(Methods.ReportCompletion, new ReportCompletionParams { SessionToken = task.SessionToken, TaskId = task.TaskId, Status = CompletionStatus.Completed });
    }

    /// <summary>"ok", or the JSON-RPC error code the daemon answered.</summary>
    private static async Task<string> TryKeyAsync(JsonRpcPeer peer, string token)
    {
        try
        {
            await peer.InvokeAsync(Methods.GetApiKey, new GetApiKeyParams(token, "anthropic"));
            return "ok";
        }
        catch (JsonRpcException ex)
        {
            return ((int)ex.Code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

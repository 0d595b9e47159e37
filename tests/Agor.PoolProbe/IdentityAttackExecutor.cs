using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;

namespace Agor.PoolProbe;

/// <summary>
/// Executors that attack the daemon's idea of who its executor is, for the identity specs:
/// <list type="bullet">
/// <item><c>impostor --socket PATH ...</c>: the launched process leaves the socket to another
/// process of the same user (as an agent of another session would after unlinking the real one);
/// that process records how many bytes it ever receives in PATH.received.</item>
/// <item><c>lying-ping --socket PATH ...</c>: a real executor in every way but its ping, which names
/// the pid written in victim-pid beside the socket, for the daemon to kill.</item>
/// </list>
/// </summary>
internal static class IdentityAttackExecutor
{
    public static Task<int> RunAsync(string kind, string[] args) => args is ["--version"]
        ? Task.FromResult(0) // the pool's sudo check at start
        : kind switch
    {
        "impostor" => RunImpostorAsync(SocketOf(args)),
        "impostor-listener" => ListenAndRecordAsync(args[0]),
        "lying-ping" => RunLyingPingAsync(SocketOf(args)),
        _ => Task.FromResult(64),
    };

    private static string SocketOf(string[] args) => args[Array.IndexOf(args, "--socket") + 1];

    private static async Task<int> RunImpostorAsync(string socketPath)
    {
        // In a session of its own, as another session's agent would be: not in the executor's group.
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Environment.ProcessPath!);
        start.ArgumentList.Add(typeof(IdentityAttackExecutor).Assembly.Location);
        start.ArgumentList.Add("identity-attack");
        start.ArgumentList.Add("impostor-listener");
        start.ArgumentList.Add(socketPath);
        using var listener = Process.Start(start)!;
        if (await listener.StandardOutput.ReadLineAsync() != "listening")
        {
            return 1;
        }

        // Tell the daemon we are ready: whatever it connects to now is the other process.
        Console.WriteLine("agor-executor ready");
        await listener.WaitForExitAsync();
        return 0;
    }

    private static async Task<int> ListenAndRecordAsync(string socketPath)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        File.Delete(socketPath);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, (UnixFileMode)Convert.ToInt32("666", 8));
        socket.Listen(1);
        Console.WriteLine("listening");
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        long received = 0;
        try
        {
            using var connection = await socket.AcceptAsync(bound.Token);
            var buffer = new byte[4096];
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, bound.Token)) > 0)
            {
                received += read;
            }
        }
        catch (OperationCanceledException)
        {
            received = -1;
        }

        await File.WriteAllTextAsync(socketPath + ".received", received.ToString(CultureInfo.InvariantCulture));
        File.Delete(socketPath);
        return 0;
    }

    private static async Task<int> RunLyingPingAsync(string socketPath)
    {
        var victim = int.Parse(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(socketPath)!, "victim-pid")), CultureInfo.InvariantCulture);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, (UnixFileMode)Convert.ToInt32("666", 8));
        listener.Listen(1);
        Console.WriteLine("agor-executor ready");
        var connection = await listener.AcceptAsync();
        File.Delete(socketPath);

        await using var peer = new JsonRpcPeer(new NetworkStream(connection, ownsSocket: true), new JsonRpcPeerOptions { Name = "daemon" });
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        peer.AddRequestHandler(Methods.Ping, (_, _) => ValueTask.FromResult(new PingResult(true, 0, victim, 0, "root")));
        peer.AddRequestHandler(Methods.Shutdown, (_, _) =>
        {
            done.TrySetResult();
            return ValueTask.FromResult(new ShutdownResult("idle"));
        });
        peer.Start();

        // Ignore shutdown's spirit: stay until killed, so that the daemon must signal someone.
        await Task.WhenAny(done.Task, peer.Completion);
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}

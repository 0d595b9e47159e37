using System.Net.Sockets;
using Agor.Protocol.JsonRpc;
using Agor.Protocol.Wire;

namespace Agor.Bench.Suites.Ipc;

/// <summary>
/// The bench's hidden <c>notify-child</c> mode: plays the executor's side of the notification
/// figure without adding a test-only method to the executor. Listens on a Unix socket like the
/// executor, accepts the bench, and sends <c>report_message</c> notifications through the same
/// <see cref="JsonRpcPeer"/> as fast as it can; exits when the bench closes the connection.
/// </summary>
internal static class NotifyChild
{
    public const string Mode = "notify-child";
    public const string ReadyLine = "notify-child ready";

    public static async Task<int> RunAsync(string socketPath, long count)
    {
        Socket connection;
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);
            await Console.Out.WriteLineAsync(ReadyLine);
            await Console.Out.FlushAsync();
            using var acceptTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            connection = await listener.AcceptAsync(acceptTimeout.Token);
        }

        File.Delete(socketPath);
        await using var peer = new JsonRpcPeer(new NetworkStream(connection, ownsSocket: true), new JsonRpcPeerOptions { Name = "bench" });
        peer.Start();
        var template = WireSamples.ReportMessage;
        for (long sequence = 1; sequence <= count; sequence++)
        {
            await peer.NotifyAsync(Methods.ReportMessage, template with { Sequence = sequence, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
        }

        await peer.Completion;
        return 0;
    }

    /// <summary>How the bench starts itself in this mode: its own apphost, or <c>dotnet Agor.Bench.dll</c>.</summary>
    public static (string FileName, string[] Arguments) SelfCommand(string socketPath, long count)
    {
        string[] modeArguments = [Mode, "--socket", socketPath, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The bench cannot find its own executable.");
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? (processPath, [typeof(NotifyChild).Assembly.Location, .. modeArguments])
            : (processPath, modeArguments);
    }
}

using System.Net.Sockets;
using System.Text;
using Agor.Bench.Processes;
using Agor.Bench.Setup;

namespace Agor.Bench.Suites.Ipc;

/// <summary>The C helper in <c>serve</c> (echo) or <c>blast</c> mode, started and connected to like an executor.</summary>
internal sealed class RawSockServer : IAsyncDisposable
{
    private static readonly byte[] PingLine = "ping\n"u8.ToArray();

    private readonly HelperProcess _process;

    private RawSockServer(HelperProcess process, string socketPath)
    {
        _process = process;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>The pid of the process started (sudo, when run through it).</summary>
    public int Pid => _process.Pid;

    /// <summary>Starts the helper with <paramref name="mode"/> arguments; through <c>sudo -n -u USER --</c> when <paramref name="sudoUser"/> is set.</summary>
    public static async Task<RawSockServer> StartAsync(string rawSockPath, string[] mode, string? sudoUser = null, CancellationToken cancellationToken = default)
    {
        var socketPath = SocketPaths.Next("raw");
        string[] helperArguments = [mode[0], socketPath, .. mode[1..]];
        var process = sudoUser is null
            ? HelperProcess.Start(rawSockPath, helperArguments, socketPath)
            : HelperProcess.Start("sudo", ["-n", "-u", sudoUser, "--", rawSockPath, .. helperArguments], socketPath);
        var server = new RawSockServer(process, socketPath);
        try
        {
            await process.WaitForLineAsync(RawSockHelper.ReadyLine, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task<Socket> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One line there and back over a connected socket to the echoing helper.</summary>
    public static async Task PingAsync(Socket socket, CancellationToken cancellationToken = default)
    {
        await socket.SendAsync(PingLine, SocketFlags.None, cancellationToken);
        var buffer = new byte[64];
        var received = 0;
        while (received == 0 || buffer[received - 1] != (byte)'\n')
        {
            var got = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, cancellationToken);
            if (got == 0)
            {
                throw new IOException($"rawsock closed the connection after '{Encoding.ASCII.GetString(buffer, 0, received)}'.");
            }

            received += got;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

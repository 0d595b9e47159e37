using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Network;

/// <summary><c>agor-executor --net-forwarder</c> on its own: listening before the agent starts, exit code and signals passed through.</summary>
public sealed class NetForwarderTests
{
    [Fact(Timeout = 60_000)]
    public async Task TheAgentFindsThePortOpen_AndReachesTheSocket_ThenItsExitCodePassesThrough()
    {
        await using var echo = UnixSocketServer.Echo(barrier: 1);
        var port = FreePort();

        // The agent connects at once: no retry, so the forwarder must already listen.
        using var forwarder = Start(port, echo.SocketPath, "bash", "-c", $"exec 3<>/dev/tcp/127.0.0.1/{port} || exit 90; printf through >&3; head -c 7 <&3; exit 7");
        var output = await forwarder.StandardOutput.ReadToEndAsync();
        await forwarder.WaitForExitAsync();

        Assert.Equal("through", output);
        Assert.Equal(7, forwarder.ExitCode);
        Assert.Equal(1, echo.Accepted);
    }

    [Fact(Timeout = 60_000)]
    public async Task Sigterm_ReachesTheAgent()
    {
        await using var echo = UnixSocketServer.Echo(barrier: 1);
        using var forwarder = Start(FreePort(), echo.SocketPath, "bash", "-c", "trap 'exit 42' TERM; echo ready; read -r line; exit 3");
        Assert.Equal("ready", await forwarder.StandardOutput.ReadLineAsync());

        Assert.True(Signals.Send(forwarder.Id, 15));
        await forwarder.WaitForExitAsync();

        Assert.Equal(42, forwarder.ExitCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task AMalformedForward_IsAUsageError_AndNothingStarts()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"agor-fwd-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo(TestBinaries.ExecutorPath) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in new[] { "--net-forwarder", "--forward", "99999=/x.sock", "--", "touch", marker })
        {
            start.ArgumentList.Add(argument);
        }

        using var forwarder = Process.Start(start)!;
        await forwarder.StandardError.ReadToEndAsync();
        await forwarder.WaitForExitAsync();

        Assert.Equal(64, forwarder.ExitCode);
        Assert.False(File.Exists(marker));
    }

    private static Process Start(int port, string socket, params string[] agent)
    {
        var start = new ProcessStartInfo(TestBinaries.ExecutorPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var argument in new[] { "--net-forwarder", "--forward", $"{port.ToString(CultureInfo.InvariantCulture)}={socket}", "--" }.Concat(agent))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

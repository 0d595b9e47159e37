using System.Net;
using System.Net.Sockets;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Hosting;

/// <summary>A daemon whose port is taken says so in one line, naming who holds it, and exits non-zero.</summary>
public sealed class StartupPortTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("--foreground")]
    [InlineData(null)]
    public async Task PortInUse_PrintsOneLineNamingTheHolder_AndExitsNonZero(string? foreground)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var home = DaemonProcess.CreateHome();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
            var environment = new Dictionary<string, string> { ["AGOR_HOME"] = home, ["AGOR_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var init = await ProcessRunner.RunAsync(DaemonProcess.AgorPath, ["init"], environment, cancellationToken: timeout.Token);
            Assert.Equal(0, init.ExitCode);
            string[] arguments = foreground is null ? ["daemon", "start"] : ["daemon", "start", foreground];

            var started = await ProcessRunner.RunAsync(DaemonProcess.AgorPath, arguments, environment, cancellationToken: timeout.Token);

            var name = (await File.ReadAllTextAsync("/proc/self/comm", timeout.Token)).Trim();
            Assert.NotEqual(0, started.ExitCode);
            Assert.Equal($"agor: port {port} is in use by pid {Environment.ProcessId} ({name}); set daemon.port or AGOR_PORT", started.Stderr.TrimEnd('\n'));
            Assert.DoesNotContain("listening", started.Stdout, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(home, "daemon.pid")));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}

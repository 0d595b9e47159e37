using System.Net;
using System.Net.Sockets;
using Agor.Executor.Tests.Sandbox;
using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Network;

/// <summary>
/// The agent in a network namespace of its own (real bwrap, the real Claude CLI): it reaches the
/// scripted model only through a forward (127.0.0.1:18080 inside, a Unix-socket relay outside), and
/// nothing else: no interface but lo, no outside loopback port, no DNS.
/// </summary>
public sealed class NetworkSandboxTests
{
    private const int ModelPort = 18080;
    private const int EchoPort = 18081;

    [SkippableFact(Timeout = 120_000)]
    public async Task Isolated_OnlyLoopback_NoOutsidePort_NoDns_AndThePromptStillCompletesThroughTheForward()
    {
        await using var n = await NetHarness.StartAsync();
        using var outside = new TcpListener(IPAddress.Loopback, 0);
        outside.Start();
        var outsidePort = ((IPEndPoint)outside.LocalEndpoint).Port;
        var modelPort = new Uri(n.H.Prompt.Model.BaseUrl).Port;
        var command = "echo IFACES=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ,); "
            + $"(exec 3<>/dev/tcp/127.0.0.1/{outsidePort}) 2>/dev/null; echo OUTSIDE=$?; "
            + $"(exec 3<>/dev/tcp/127.0.0.1/{modelPort}) 2>/dev/null; echo MODEL=$?; "
            + "getent hosts example.com; echo DNS=$?; echo BASE=$ANTHROPIC_BASE_URL; echo END";

        var (completion, output, _) = await n.H.RunBashAsync(command, n.Spec());

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.Contains("END", output, StringComparison.Ordinal);
        Assert.Contains("IFACES=lo,", output, StringComparison.Ordinal);
        Assert.DoesNotContain("OUTSIDE=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("MODEL=0", output, StringComparison.Ordinal);
        Assert.Matches(@"DNS=[1-9]", output);
        Assert.Contains($"BASE=http://127.0.0.1:{ModelPort}", output, StringComparison.Ordinal);
        Assert.False(outside.Pending());
        Assert.Contains("net", completion.Sandbox!.Namespaces);

        // Every model request went through the forward: the relay outside saw them.
        Assert.True(n.ModelRelay.Accepted > 0);
        Assert.True(n.H.Prompt.Model.ConversationRequests.Count >= 2);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Forward_ReachesTheUnixSocketOutside_BytesIntactBothWays_FourConnectionsAtOnce()
    {
        await using var n = await NetHarness.StartAsync();

        // Four clients at once, 200 kB each of all byte values, half-closing; the echo server answers
        // none of them until all four are open, so a forwarder that took them one by one would hang.
        var perl = "use IO::Socket::INET; for my $i (1..4) { next if fork; "
            + $"my $s = IO::Socket::INET->new(PeerAddr => q(127.0.0.1), PeerPort => {EchoPort}) or do {{ print qq(NOCONN$i\\n); exit }}; binmode $s; "
            + "my $d = join q(), map { chr(($_ * 7 + $i) % 256) } 0..199999; print $s $d; shutdown($s, 1); "
            + "my $r = q(); while (sysread($s, my $b, 65536)) { $r .= $b } print($r eq $d ? qq(OK$i\\n) : qq(BAD$i\\n)); exit } 1 while wait != -1;";
        var (completion, output, _) = await n.H.RunBashAsync($"perl -e '{perl}'; echo END", n.Spec());

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.Contains("END", output, StringComparison.Ordinal);
        foreach (var i in Enumerable.Range(1, 4))
        {
            Assert.Contains($"OK{i}", output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("BAD", output, StringComparison.Ordinal);
        Assert.Equal(4, n.Echo.Accepted);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task ExecutorSigkilled_TheForwarderAndTheAgentDie()
    {
        await using var n = await NetHarness.StartAsync();
        var marker = Path.Combine(n.H.WorkingDirectory, "written-after-death");

        var taskId = await n.H.StartBashAsync($"sleep 45; touch {marker}", n.Spec());
        await n.H.Prompt.Daemon.WaitForMessageAsync(m => m.TaskId == taskId && m.EventType == EventTypes.ToolCall);
        var tree = await ProcessTreeSnapshot.WaitForAsync(n.H.Prompt.Daemon.Executor.Pid, "sleep 45", count: 1, TimeSpan.FromSeconds(30));
        Assert.Contains(tree.Processes, p => p.CommandLine.Contains("--net-forwarder", StringComparison.Ordinal));

        Assert.True(Signals.Send(n.H.Prompt.Daemon.Executor.Pid, Signals.SigKill));
        var survivors = await tree.WaitUntilAllGoneAsync(TimeSpan.FromSeconds(15));

        Assert.True(survivors.Count == 0, $"still running after the executor died: {string.Join("; ", survivors)}");
        Assert.False(File.Exists(marker));
    }

    /// <summary>A sandbox harness whose daemon gives the agent the forward's URL, with the model relay and an echo server outside.</summary>
    private sealed class NetHarness : IAsyncDisposable
    {
        private NetHarness(SandboxHarness h)
        {
            H = h;
            var model = new Uri(h.Prompt.Model.BaseUrl);
            ModelRelay = UnixSocketServer.RelayTo(new IPEndPoint(IPAddress.Loopback, model.Port));
            Echo = UnixSocketServer.Echo(barrier: 4);
        }

        public SandboxHarness H { get; }

        public UnixSocketServer ModelRelay { get; }

        public UnixSocketServer Echo { get; }

        public static async Task<NetHarness> StartAsync() =>
            new(await SandboxHarness.StartAsync(o => o with { BaseUrl = $"http://127.0.0.1:{ModelPort}" }));

        public SandboxSpec Spec() => H.Spec() with
        {
            Network = new SandboxNetwork
            {
                Isolate = true,
                Forwards = [new NetworkForward { Port = ModelPort, Socket = ModelRelay.SocketPath }, new NetworkForward { Port = EchoPort, Socket = Echo.SocketPath }],
            },
        };

        public async ValueTask DisposeAsync()
        {
            await H.DisposeAsync();
            await ModelRelay.DisposeAsync();
            await Echo.DisposeAsync();
        }
    }
}

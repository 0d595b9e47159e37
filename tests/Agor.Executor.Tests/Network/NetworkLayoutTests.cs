using Agor.Executor.Guard;
using Agor.Executor.Network;
using Agor.Executor.Sandbox;
using Agor.Protocol.Wire;

namespace Agor.Executor.Tests.Network;

/// <summary><c>sandbox.network</c>: its validation, the bwrap flags and mounts it adds, and the forwarder put before the agent.</summary>
public sealed class NetworkLayoutTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("agor-netl-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void NoNetwork_OrNotIsolated_IsTodaysCommandLine()
    {
        var (plain, _) = BwrapCommand.Build(Layout(null));
        var (notIsolated, _) = BwrapCommand.Build(Layout(NetworkLayout.For(new SandboxNetwork { Isolate = false, Forwards = [new NetworkForward { Port = 1, Socket = "/x.sock" }] })));

        Assert.Equal(plain, notIsolated);
        Assert.DoesNotContain("--unshare-net", plain);
        Assert.DoesNotContain(plain, a => a.StartsWith(NetworkLayout.InsideDirectory, StringComparison.Ordinal));
        Assert.Equal(BwrapLayout.BaseNamespaces, Layout(null).Namespaces);
    }

    [Fact]
    public void Isolated_UnsharesTheNetwork_AndBindsEachSocketAfterTheRunMask()
    {
        var first = Path.Combine(_root, "a.sock");
        var second = Path.Combine(_root, "b.sock");
        var network = NetworkLayout.For(new SandboxNetwork
        {
            Isolate = true,
            Forwards = [new NetworkForward { Port = 18080, Socket = first }, new NetworkForward { Port = 18081, Socket = second }],
        });

        var (args, _) = BwrapCommand.Build(Layout(network));

        Assert.Contains("--unshare-net", args);
        var runMask = Index(args, "--tmpfs", "/run");
        Assert.True(runMask >= 0);
        Assert.True(Index(args, "--ro-bind", first, "/run/agor-net/0.sock") > runMask);
        Assert.True(Index(args, "--ro-bind", second, "/run/agor-net/1.sock") > runMask);
        Assert.Contains("net", Layout(network).Namespaces);
    }

    [Fact]
    public void Isolated_TheForwarderRunsFirstInside_WithTheInsideSockets_ThenTheAgent()
    {
        var network = NetworkLayout.For(new SandboxNetwork { Isolate = true, MaxConnections = 9, Forwards = [new NetworkForward { Port = 18080, Socket = Path.Combine(_root, "a.sock") }] })!;
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        var executor = Path.Combine(bin, "agor-executor");
        File.WriteAllText(executor, string.Empty);
        var launch = new GuardedLaunch(executor, [], 0x12);

        var (_, arguments, _) = launch.WrapConfined("/bin/true", ["--flag"], new SandboxLaunch("/usr/bin/bwrap", Layout(network)), null, null);

        var dashes = arguments.Select((a, i) => (a, i)).Where(p => p.a == "--").Select(p => p.i).ToList();
        var inside = arguments.Skip(dashes[1] + 1).ToList();
        Assert.Equal([executor, "--net-forwarder", "--max-connections", "9", "--forward", "18080=/run/agor-net/0.sock", "--", "/bin/true", "--flag"], inside);
        Assert.True(Index(arguments, "--ro-bind", bin, bin) >= 0);
    }

    [Theory]
    [InlineData(0, "/a.sock", 128, "port")]
    [InlineData(65536, "/a.sock", 128, "port")]
    [InlineData(80, "relative.sock", 128, "absolute")]
    [InlineData(80, "/a.sock", 0, "max_connections")]
    [InlineData(80, "/a.sock", 5000, "max_connections")]
    public void Validate_RefusesBadForwardsAndLimits(int port, string socket, int maxConnections, string names)
    {
        var spec = new SandboxSpec { Network = new SandboxNetwork { Isolate = true, MaxConnections = maxConnections, Forwards = [new NetworkForward { Port = port, Socket = socket }] } };

        Assert.Contains(names, spec.Validate(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesAPortTwice_AndTooManyForwards_AcceptsAGoodOne()
    {
        NetworkForward Forward(int port) => new() { Port = port, Socket = "/a.sock" };

        Assert.Contains("twice", new SandboxNetwork { Forwards = [Forward(80), Forward(80)] }.Validate(), StringComparison.Ordinal);
        Assert.Contains("at most", new SandboxNetwork { Forwards = [.. Enumerable.Range(1, SandboxNetwork.MaxForwards + 1).Select(Forward)] }.Validate(), StringComparison.Ordinal);
        Assert.Null(new SandboxSpec { Network = new SandboxNetwork { Isolate = true, Forwards = [Forward(80), Forward(81)] } }.Validate());
    }

    private static int Index(IReadOnlyList<string> args, params string[] sequence)
    {
        for (var i = 0; i + sequence.Length <= args.Count; i++)
        {
            if (sequence.Select((s, j) => args[i + j] == s).All(x => x))
            {
                return i;
            }
        }

        return -1;
    }

    private BwrapLayout Layout(NetworkLayout? network) => new()
    {
        WorkingDirectory = Directory.CreateDirectory(Path.Combine(_root, "cwd")).FullName,
        AgentHome = Directory.CreateDirectory(Path.Combine(_root, "home")).FullName,
        Network = network,
    };
}

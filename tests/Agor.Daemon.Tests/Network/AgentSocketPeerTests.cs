using System.Text.RegularExpressions;
using Agor.Daemon.Tests.Api;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Network;

/// <summary>
/// The agents' Unix sockets are open to every local user by mode, so the daemon decides by the
/// peer's uid, which the kernel records: another local user (here <c>nobody</c>, with curl) is cut off
/// before a byte is answered, on the gateway's socket and on the proxy's, while the daemon's own user
/// gets an HTTP answer on the same sockets.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed partial class AgentSocketPeerTests
{
    [SkippableFact(Timeout = 120_000)]
    public async Task A_local_user_who_runs_no_executor_gets_nothing_from_the_gateway_or_the_proxy_socket()
    {
        Isolation.Require();
        await using var h = await DaemonHarness.StartAsync();
        var proxySocket = ProxySocketLine().Match(h.Daemon.Log) is { Success: true } m ? m.Groups[1].Value
            : throw new Xunit.Sdk.XunitException("the daemon did not log the proxy's socket:\n" + h.Daemon.Log);
        var gatewaySocket = Path.Combine(Path.GetDirectoryName(proxySocket)!, "gateway.sock");

        // The directory can be traversed but not listed, by anyone else.
        var directoryMode = File.GetUnixFileMode(Path.GetDirectoryName(proxySocket)!);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute, directoryMode);

        var ownGateway = await CurlAsync(asNobody: false, gatewaySocket, "http://gateway/v1/messages", "-H", "x-api-key: agor-ph-guess", "-d", "{}");
        var ownProxy = await CurlAsync(asNobody: false, proxySocket, "http://example.com/", "--request-target", "http://example.com/");
        Assert.Contains("HTTP/1.1 401", ownGateway.Stdout, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 407", ownProxy.Stdout, StringComparison.Ordinal);

        var strangerGateway = await CurlAsync(asNobody: true, gatewaySocket, "http://gateway/v1/messages", "-H", "x-api-key: agor-ph-guess", "-d", "{}");
        var strangerProxy = await CurlAsync(asNobody: true, proxySocket, "http://example.com/", "--request-target", "http://example.com/");

        // No answer at all: closed at accept, which curl reports as a failed connect (7), an empty reply (52) or a
        // receive failure (56); the log line shows the connection did get through to the peer check.
        Assert.DoesNotContain("HTTP/", strangerGateway.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/", strangerProxy.Stdout, StringComparison.Ordinal);
        Assert.True(strangerGateway.ExitCode is 7 or 52 or 56, $"curl as nobody on the gateway socket: exit {strangerGateway.ExitCode}: {strangerGateway.Stderr}");
        Assert.True(strangerProxy.ExitCode is 7 or 52 or 56, $"curl as nobody on the proxy socket: exit {strangerProxy.ExitCode}: {strangerProxy.Stderr}");
        Assert.Matches("Refused a connection to the agents' (gateway|proxy) socket from uid 65534", h.Daemon.Log);
    }

    private static Task<ProcessResult> CurlAsync(bool asNobody, string socket, string url, params string[] extra)
    {
        string[] curl = ["curl", "-sS", "-i", "--max-time", "20", "--unix-socket", socket, .. extra, url];
        return asNobody
            ? ProcessRunner.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", .. curl])
            : ProcessRunner.RunAsync(curl[0], curl[1..]);
    }

    [GeneratedRegex(@"Egress proxy listening on (/\S+/proxy\.sock)")]
    private static partial Regex ProxySocketLine();
}

using Agor.Daemon.Tests.Egress;
using Agor.Daemon.Tests.Sandbox;

namespace Agor.Daemon.Tests.Network;

/// <summary>
/// A prompt-injected agent tries every way out of its network namespace with the real Claude Code
/// CLI's <c>Bash</c> inside the real sandbox: direct connections to the daemon's API, to the model
/// server, to another loopback service and to cloud metadata, a DNS lookup, the host's interfaces,
/// and the proxy asked for what it must refuse. It finds only loopback and the two forwarded ports.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class NetworkEscapeTests
{
    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Inside_the_sandbox_nothing_but_the_gateway_and_the_proxy_is_reachable(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        await using var other = LoopbackServer.Echo();
        // Opened as wide as an owner might: every public address, and loopback (for a local test server).
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser, network: ["allowed_hosts: [\"0.0.0.0/0\", \"127.0.0.1\"]"]);
        var api = new Uri(h.Inner.Daemon.Address).Port;
        var model = new Uri(h.Model.BaseUrl).Port;
        var session = await h.CreateSessionAsync();

        // Each probe prints one line: NAME=open or NAME=closed (bash's /dev/tcp, no tool needed).
        var run = await h.RunBashAsync(session, $$"""
            probe() { if (exec 3<>/dev/tcp/$2/$3) 2>/dev/null; then echo "$1=open"; else echo "$1=closed"; fi; }
            probe api 127.0.0.1 {{api}}
            probe model 127.0.0.1 {{model}}
            probe other 127.0.0.1 {{other.Port}}
            probe metadata 169.254.169.254 80
            probe gateway 127.0.0.1 3129
            probe proxy 127.0.0.1 3128
            if getent hosts example.com >/dev/null 2>&1; then echo dns=resolved; else echo dns=failed; fi
            echo "interfaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ',')"
            echo "sockets=$(ls /tmp | grep -c agor-net)"
            curl -sS --noproxy '' -x "$HTTP_PROXY" http://169.254.169.254/latest/meta-data/; echo " metadata_proxy_exit=$?"
            curl -sS --noproxy '' -x "$HTTP_PROXY" http://127.0.0.1:{{api}}/health; echo " api_proxy_exit=$?"
            """);

        Assert.Equal("completed", run.Status);
        foreach (var closed in new[] { "api", "model", "other", "metadata" })
        {
            Assert.Contains($"{closed}=closed", run.Output, StringComparison.Ordinal);
        }

        Assert.Contains("gateway=open", run.Output, StringComparison.Ordinal);
        Assert.Contains("proxy=open", run.Output, StringComparison.Ordinal);
        Assert.Contains("dns=failed", run.Output, StringComparison.Ordinal);
        Assert.Contains("interfaces=lo,", run.Output, StringComparison.Ordinal);
        Assert.Contains("sockets=0", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, other.Accepted);
        Assert.Contains("net", run.Sandbox.GetProperty("namespaces").EnumerateArray().Select(n => n.GetString()));

        // Through the proxy: metadata is link-local, which a wide range does not open; the daemon's own
        // port stays shut though an entry opens loopback. Both refused with a clear answer, and recorded.
        Assert.Contains("Agor egress proxy refused 169.254.169.254:80: link_local_address", run.Output, StringComparison.Ordinal);
        Assert.Contains($"Agor egress proxy refused 127.0.0.1:{api}: daemon_port", run.Output, StringComparison.Ordinal);
        var records = (await h.Inner.Daemon.GetAsync($"/tasks/{run.TaskId}/egress")).EnumerateArray().ToList();
        var metadata = Assert.Single(records, r => r.GetProperty("host").GetString() == "169.254.169.254");
        Assert.False(metadata.GetProperty("allowed").GetBoolean());
        Assert.StartsWith("link_local_address", metadata.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var apiRecord = Assert.Single(records, r => r.GetProperty("port").GetInt32() == api);
        Assert.False(apiRecord.GetProperty("allowed").GetBoolean());
        Assert.StartsWith("daemon_port", apiRecord.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }
}

using System.Text.Json;
using Agor.Daemon.Tests.Sandbox;

namespace Agor.Daemon.Tests.Egress;

/// <summary>
/// Through a real daemon, the real Claude Code CLI's <c>Bash</c> runs curl inside the sandbox's own
/// network namespace with the proxy the daemon put in its environment: the listed
/// loopback server answers, the unlisted one is refused with a clear error, and
/// <c>GET /tasks/{id}/egress</c> shows both with their bytes.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class EgressE2ETests
{
    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_agents_curl_reaches_the_listed_server_only_and_the_task_egress_shows_both(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        await using var listed = LoopbackServer.Http();
        await using var unlisted = LoopbackServer.Http();
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser, network: ["allowed_hosts:", $"  - 127.0.0.1:{listed.Port}"]);
        var session = await h.CreateSessionAsync();

        // --noproxy '' : NO_PROXY names the sandbox's own loopback (where the gateway's port is), which would send curl direct.
        var run = await h.RunBashAsync(session, $$"""
            echo "proxy=${HTTPS_PROXY%%@*}"
            curl -sS --noproxy '' -x "$HTTP_PROXY" http://127.0.0.1:{{listed.Port}}/listed; echo " listed_exit=$?"
            curl -sS --noproxy '' -x "$HTTP_PROXY" http://127.0.0.1:{{unlisted.Port}}/unlisted; echo " unlisted_exit=$?"
            """);

        Assert.Equal("completed", run.Status);
        Assert.Contains("proxy=http://agor:", run.Output, StringComparison.Ordinal);
        Assert.Contains("hello listed_exit=0", run.Output, StringComparison.Ordinal);
        Assert.Contains("not in network.allowed_hosts", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, unlisted.Accepted);

        var egress = await h.Inner.Daemon.GetAsync($"/tasks/{run.TaskId}/egress");
        var records = egress.EnumerateArray().ToList();
        var allowed = Assert.Single(records, r => r.GetProperty("port").GetInt32() == listed.Port);
        Assert.True(allowed.GetProperty("allowed").GetBoolean());
        Assert.Equal("127.0.0.1", allowed.GetProperty("address").GetString());
        Assert.True(allowed.GetProperty("bytes_up").GetInt64() > 0 && allowed.GetProperty("bytes_down").GetInt64() > 0, allowed.ToString());
        var refused = Assert.Single(records, r => r.GetProperty("port").GetInt32() == unlisted.Port);
        Assert.False(refused.GetProperty("allowed").GetBoolean());
        Assert.StartsWith("not_allowed", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.All(records, r => Assert.Equal(run.TaskId, r.GetProperty("task_id").GetString()));

        var unknown = await h.Inner.Daemon.Http.GetAsync("/tasks/no-such-task/egress");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        _ = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync());
    }
}

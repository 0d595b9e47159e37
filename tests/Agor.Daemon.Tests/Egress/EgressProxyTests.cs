using Agor.Daemon.Configuration;
using System.Security.Cryptography;
using Agor.Daemon.Egress;
using Agor.Daemon.Tests.Storage;

namespace Agor.Daemon.Tests.Egress;

/// <summary>
/// The egress proxy attacked from the agent's side, over real loopback sockets: only listed
/// destinations are reached, on the address that was checked; everything else gets a clear
/// refusal; every connection is recorded with its task and its bytes.
/// </summary>
public sealed class EgressProxyTests : StoreFixture, IDisposable
{
    private const string TaskId = "task-egress-1";
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    private CancellationToken Ct => _timeout.Token;

    [Fact]
    public async Task A_listed_loopback_server_is_reached_through_CONNECT_and_the_tunnel_carries_bytes_both_ways_intact()
    {
        await using var echo = LoopbackServer.Echo();
        await using var proxy = await StartAsync($"127.0.0.1:{echo.Port}");
        var token = proxy.Tokens.Mint(TaskId);

        using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
        var answer = await client.SendHeadAsync($"CONNECT 127.0.0.1:{echo.Port} HTTP/1.1\r\nHost: 127.0.0.1:{echo.Port}\r\nProxy-Authorization: {ProxyClient.Credentials(token)}", Ct);
        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);

        var sent = RandomNumberGenerator.GetBytes(300_000);
        var writing = WriteThenShutdownAsync(client, sent);
        using var received = new MemoryStream();
        await client.Stream.CopyToAsync(received, Ct);
        await writing;
        Assert.Equal(sent, received.ToArray());

        var record = await proxy.NextRecordAsync(Ct);
        Assert.Equal((TaskId, "connect", "127.0.0.1", echo.Port, "127.0.0.1", true, "allowed"), (record.TaskId, record.Kind, record.Host, record.Port, record.Address, record.Allowed, record.Reason));
        Assert.Equal((sent.LongLength, sent.LongLength), (record.BytesUp, record.BytesDown));
        Assert.NotNull(record.EndedAt);
    }

    [Fact]
    public async Task A_listed_server_is_reached_by_plain_HTTP_in_origin_form_and_never_sees_the_proxy_credentials()
    {
        await using var http = LoopbackServer.Http();
        await using var proxy = await StartAsync($"localhost:{http.Port}");
        var token = proxy.Tokens.Mint(TaskId);

        using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
        var head = await client.SendHeadAsync($"GET http://localhost:{http.Port}/some/path?q=1 HTTP/1.1\r\nHost: localhost:{http.Port}\r\nProxy-Authorization: {ProxyClient.Credentials(token)}\r\nProxy-Connection: keep-alive", Ct);
        var body = await client.ReadToEndAsync(Ct);
        Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
        Assert.Equal("hello", body);

        var upstream = Assert.Single(http.Heads);
        Assert.StartsWith("GET /some/path?q=1 HTTP/1.1\r\n", upstream, StringComparison.Ordinal);
        Assert.DoesNotContain(token, upstream, StringComparison.Ordinal);
        Assert.DoesNotContain("Proxy-", upstream, StringComparison.OrdinalIgnoreCase);

        var record = await proxy.NextRecordAsync(Ct);
        Assert.Equal((TaskId, "http", "localhost", true), (record.TaskId, record.Kind, record.Host, record.Allowed));
        Assert.Equal(upstream.Length, record.BytesUp);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".Length, record.BytesDown);
    }

    [Fact]
    public async Task An_unlisted_server_is_refused_with_a_403_naming_the_rule_and_is_never_connected_to()
    {
        await using var listed = LoopbackServer.Echo();
        await using var unlisted = LoopbackServer.Echo();
        await using var proxy = await StartAsync($"127.0.0.1:{listed.Port}");
        var token = proxy.Tokens.Mint(TaskId);

        using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
        var answer = await client.SendHeadAsync($"CONNECT 127.0.0.1:{unlisted.Port} HTTP/1.1\r\nProxy-Authorization: {ProxyClient.Credentials(token)}", Ct);
        var body = await client.ReadToEndAsync(Ct);
        Assert.StartsWith("HTTP/1.1 403", answer, StringComparison.Ordinal);
        Assert.Contains("network.allowed_hosts", body, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{unlisted.Port}", body, StringComparison.Ordinal);

        var record = await proxy.NextRecordAsync(Ct);
        Assert.Equal((TaskId, false, 0L, 0L), (record.TaskId, record.Allowed, record.BytesUp, record.BytesDown));
        Assert.StartsWith("not_allowed", record.Reason, StringComparison.Ordinal);
        Assert.Equal(0, unlisted.Accepted);
    }

    [Theory]
    [InlineData("169.254.169.254", 80, "link_local_address")]
    [InlineData("10.1.2.3", 80, "private_address")]
    [InlineData("[::1]", 80, "loopback_address")]
    public async Task A_listed_name_that_is_a_special_address_needs_an_entry_naming_that_address(string host, int port, string reason)
    {
        // A range wider than a special range (here: everything) does not open it; only an entry inside it does.
        await using var proxy = await StartAsync("0.0.0.0/0", "::/0");
        var token = proxy.Tokens.Mint(TaskId);

        using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
        var answer = await client.SendHeadAsync($"CONNECT {host}:{port} HTTP/1.1\r\nProxy-Authorization: {ProxyClient.Credentials(token)}", Ct);
        Assert.StartsWith("HTTP/1.1 403", answer, StringComparison.Ordinal);
        var record = await proxy.NextRecordAsync(Ct);
        Assert.StartsWith(reason, record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cloud_metadata_address_is_refused_by_plain_HTTP_too()
    {
        await using var proxy = await StartAsync("0.0.0.0/0");
        var token = proxy.Tokens.Mint(TaskId);

        using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
        var answer = await client.SendHeadAsync($"GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\nProxy-Authorization: {ProxyClient.Credentials(token)}", Ct);
        var body = await client.ReadToEndAsync(Ct);
        Assert.StartsWith("HTTP/1.1 403", answer, StringComparison.Ordinal);
        Assert.Contains("link-local", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_resolving_to_loopback_is_refused_unless_listed_with_its_port()
    {
        await using var echo = LoopbackServer.Echo();

        // Listed without its port: the name passes, its loopback address does not.
        await using (var proxy = await StartAsync("localhost"))
        {
            var token = proxy.Tokens.Mint(TaskId);
            using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
            var answer = await client.SendHeadAsync($"CONNECT localhost:{echo.Port} HTTP/1.1\r\nProxy-Authorization: {ProxyClient.Credentials(token)}", Ct);
            Assert.StartsWith("HTTP/1.1 403", answer, StringComparison.Ordinal);
            var record = await proxy.NextRecordAsync(Ct);
            Assert.StartsWith("loopback_address", record.Reason, StringComparison.Ordinal);
            Assert.Equal(0, echo.Accepted);
        }

        await using (var proxy = await StartAsync($"localhost:{echo.Port}"))
        {
            var token = proxy.Tokens.Mint(TaskId);
            using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
            var answer = await client.SendHeadAsync($"CONNECT localhost:{echo.Port} HTTP/1.1\r\nProxy-Authorization: {ProxyClient.Credentials(token)}", Ct);
            Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic YWdvcjp3cm9uZw==")]
    [InlineData("Bearer abc")]
    public async Task No_or_a_wrong_token_gets_407_and_the_destination_is_not_contacted(string? authorization)
    {
        await using var echo = LoopbackServer.Echo();
        await using var proxy = await StartAsync($"127.0.0.1:{echo.Port}");
        proxy.Tokens.Mint(TaskId);

        using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
        var header = authorization is null ? string.Empty : $"\r\nProxy-Authorization: {authorization}";
        var answer = await client.SendHeadAsync($"CONNECT 127.0.0.1:{echo.Port} HTTP/1.1{header}", Ct);
        Assert.StartsWith("HTTP/1.1 407", answer, StringComparison.Ordinal);
        Assert.Contains("Proxy-Authenticate: Basic", answer, StringComparison.Ordinal);
        var record = await proxy.NextRecordAsync(Ct);
        Assert.Equal((null, false), (record.TaskId, record.Allowed));
        Assert.Equal(0, echo.Accepted);
    }

    [Fact]
    public async Task A_revoked_token_gets_407()
    {
        await using var echo = LoopbackServer.Echo();
        await using var proxy = await StartAsync($"127.0.0.1:{echo.Port}");
        var token = proxy.Tokens.Mint(TaskId);
        proxy.Tokens.Revoke(TaskId);

        using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
        var answer = await client.SendHeadAsync($"CONNECT 127.0.0.1:{echo.Port} HTTP/1.1\r\nProxy-Authorization: {ProxyClient.Credentials(token)}", Ct);
        Assert.StartsWith("HTTP/1.1 407", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_head_over_the_limit_gets_431_and_the_destination_is_not_contacted()
    {
        await using var echo = LoopbackServer.Echo();
        await using var proxy = await StartAsync([$"127.0.0.1:{echo.Port}"], maxHeadBytes: 1024);
        var token = proxy.Tokens.Mint(TaskId);

        using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
        var answer = await client.SendHeadAsync($"CONNECT 127.0.0.1:{echo.Port} HTTP/1.1\r\nProxy-Authorization: {ProxyClient.Credentials(token)}\r\nX-Padding: {new string('a', 2000)}", Ct);
        Assert.StartsWith("HTTP/1.1 431", answer, StringComparison.Ordinal);
        Assert.Equal(0, echo.Accepted);
    }

    [Fact]
    public async Task A_task_over_its_connection_limit_gets_429()
    {
        await using var echo = LoopbackServer.Echo();
        await using var proxy = await StartAsync([$"127.0.0.1:{echo.Port}"], maxConnectionsPerTask: 1);
        var token = proxy.Tokens.Mint(TaskId);
        var connect = $"CONNECT 127.0.0.1:{echo.Port} HTTP/1.1\r\nProxy-Authorization: {ProxyClient.Credentials(token)}";

        using var first = await ProxyClient.ConnectAsync(proxy.Port, Ct);
        Assert.StartsWith("HTTP/1.1 200", await first.SendHeadAsync(connect, Ct), StringComparison.Ordinal);
        using var second = await ProxyClient.ConnectAsync(proxy.Port, Ct);
        Assert.StartsWith("HTTP/1.1 429", await second.SendHeadAsync(connect, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_records_are_listed_per_task_oldest_first()
    {
        await using var echo = LoopbackServer.Echo();
        await using var proxy = await StartAsync($"127.0.0.1:{echo.Port}");
        var token = proxy.Tokens.Mint(TaskId);
        foreach (var port in new[] { echo.Port, 1 })
        {
            using var client = await ProxyClient.ConnectAsync(proxy.Port, Ct);
            await client.SendHeadAsync($"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nProxy-Authorization: {ProxyClient.Credentials(token)}", Ct);
            client.Stream.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await client.ReadToEndAsync(Ct);
            await proxy.NextRecordAsync(Ct);
        }

        var page = await Store.Egress.ListForTaskAsync(TaskId, 10, null, Ct);
        Assert.Equal([true, false], page.Items.Select(r => r.Allowed));
        Assert.Empty((await Store.Egress.ListForTaskAsync("another-task", 10, null, Ct)).Items);
    }

    public void Dispose() => _timeout.Dispose();

    private static async Task WriteThenShutdownAsync(ProxyClient client, byte[] bytes)
    {
        await client.Stream.WriteAsync(bytes);
        client.Stream.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
    }

    private Task<EgressProxyHarness> StartAsync(params string[] allowed) => StartAsync(allowed, 16 * 1024, 64);

    private Task<EgressProxyHarness> StartAsync(string[] allowed, int maxHeadBytes = 16 * 1024, int maxConnectionsPerTask = 64) =>
        Task.FromResult(EgressProxyHarness.Start(Store, new NetworkSettings { AllowedHosts = allowed, MaxHeadBytes = maxHeadBytes, MaxConnectionsPerTask = maxConnectionsPerTask }));
}

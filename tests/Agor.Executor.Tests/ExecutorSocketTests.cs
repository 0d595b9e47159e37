using System.Text.Json;
using Agor.Testing.Support;

namespace Agor.Executor.Tests;

/// <summary>The executor's socket as a daemon (or an intruder) sees it, over a real Unix socket.</summary>
public sealed class ExecutorSocketTests
{
    private static int Code(JsonElement response) => response.GetProperty("error").GetProperty("code").GetInt32();

    [Fact(Timeout = 30_000)]
    public async Task Ping_ReportsPidUidAndUser()
    {
        await using var executor = await RawExecutor.StartAsync();
        using var client = await executor.ConnectAsync();

        await client.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"ping","params":{}}""");
        var result = (await client.ReadJsonAsync()).GetProperty("result");

        Assert.True(result.GetProperty("pong").GetBoolean());
        Assert.Equal(executor.Pid, result.GetProperty("pid").GetInt32());
        Assert.Equal(ProcessTable.Uid(executor.Pid), result.GetProperty("uid").GetInt32());
        Assert.Equal(Environment.UserName, result.GetProperty("user").GetString());
        Assert.InRange(result.GetProperty("timestamp").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
    }

    [Fact(Timeout = 30_000)]
    public async Task Socket_IsPrivateToTheOwnerWhileListening_AndRemovedOnceTheDaemonIsIn()
    {
        await using var executor = await RawExecutor.StartAsync();

        var groupAndOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(executor.SocketPath) & groupAndOthers);

        using var client = await executor.ConnectAsync();
        await client.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""");
        await client.ReadJsonAsync();

        Assert.False(File.Exists(executor.SocketPath));
    }

    [Fact(Timeout = 30_000)]
    public async Task BadInput_IsAnsweredAndTheConnectionStays()
    {
        await using var executor = await RawExecutor.StartAsync();
        using var client = await executor.ConnectAsync();
        var cases = new (string Line, int Code)[]
        {
            ("definitely not json", -32700),
            ("[1,2", -32700),
            ("{\"hello\":\"world\"}", -32600),
            ("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", -32600),
            ("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":[\"ping\"]}", -32600),
            ("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"format_disk\"}", -32601),
            ("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"shutdown\",\"params\":{\"reason\":42}}", -32602),
            ("[]", -32600),
        };

        foreach (var (line, code) in cases)
        {
            await client.SendAsync(line);
            var response = await client.ReadJsonAsync();
            Assert.True(code == Code(response), $"'{line}' was answered with {response}");
        }

        await client.SendAsync("""[{"jsonrpc":"2.0","id":"a","method":"ping"},{"jsonrpc":"2.0","id":"b","method":"nope"},{"jsonrpc":"2.0","method":"ping"}]""");
        var batch = (await client.ReadJsonAsync()).EnumerateArray().ToList();
        Assert.Equal(2, batch.Count);
        Assert.True(batch.Single(r => r.GetProperty("id").GetString() == "a").GetProperty("result").GetProperty("pong").GetBoolean());
        Assert.Equal(-32601, Code(batch.Single(r => r.GetProperty("id").GetString() == "b")));

        await client.SendAsync("""{"jsonrpc":"2.0","id":99,"method":"ping"}""");
        Assert.True((await client.ReadJsonAsync()).GetProperty("result").GetProperty("pong").GetBoolean());
        Assert.False(executor.HasExited);
    }

    [Fact(Timeout = 30_000)]
    public async Task LineOverTheLimit_ClosesTheConnectionAndTheExecutorExitsCleanly()
    {
        await using var executor = await RawExecutor.StartAsync(["--max-line-bytes", "4096"]);
        using var client = await executor.ConnectAsync();

        await client.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + new string('x', 10_000) + "\"}}");

        Assert.Null(await client.ReadLineAsync());
        await executor.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, executor.ExitCode);
        Assert.Contains("exceeds the maximum of 4096 bytes", executor.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(executor.SocketPath));
    }

    [Fact(Timeout = 30_000)]
    public async Task DaemonDropsMidLine_ExecutorExitsCleanlyAndLeavesNoSocket()
    {
        await using var executor = await RawExecutor.StartAsync();
        using var client = await executor.ConnectAsync();

        await client.SendRawAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"meth"u8.ToArray());
        client.Dispose();

        await executor.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, executor.ExitCode);
        Assert.Contains("daemon connection ended", executor.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(executor.SocketPath));
        Assert.False(ProcessTable.IsRunning(executor.Pid));
    }

    [Fact(Timeout = 30_000)]
    public async Task Shutdown_AnswersIdleThenExitsAndRemovesTheSocket()
    {
        await using var executor = await RawExecutor.StartAsync();
        using var client = await executor.ConnectAsync();

        await client.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"shutdown","params":{"reason":"test","timeout_ms":1000}}""");

        Assert.Equal("idle", (await client.ReadJsonAsync()).GetProperty("result").GetProperty("status").GetString());
        Assert.Null(await client.ReadLineAsync());
        await executor.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, executor.ExitCode);
        Assert.False(File.Exists(executor.SocketPath));
    }

    [Fact(Timeout = 30_000)]
    public async Task Sigterm_BeforeAnyDaemonConnects_ExitsCleanlyAndRemovesTheSocket()
    {
        await using var executor = await RawExecutor.StartAsync();

        Assert.True(File.Exists(executor.SocketPath));
        Assert.Equal(0, Interop.Kill(executor.Pid, 15));

        await executor.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, executor.ExitCode);
        Assert.False(File.Exists(executor.SocketPath));
    }

    [Fact(Timeout = 30_000)]
    public async Task NoDaemonWithinTheAcceptTimeout_ExecutorGivesUpAndCleansUp()
    {
        await using var executor = await RawExecutor.StartAsync(["--accept-timeout-ms", "200"]);

        await executor.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.NotEqual(0, executor.ExitCode);
        Assert.Contains("no daemon connected within 200 ms", executor.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(executor.SocketPath));
    }

    [Fact(Timeout = 30_000)]
    public async Task BadArguments_ExitWithUsage()
    {
        var result = await ProcessRunner.RunAsync(TestBinaries.ExecutorPath, ["--socket"]);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("usage: agor-executor --socket PATH", result.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task PeerOfAnotherUid_IsRefusedAndTheDaemonCanStillConnect()
    {
        SkipUnlessIsolation();

        // The executor serves a (pretend) daemon uid 4242, so its socket is connectable by others
        // and only SO_PEERCRED stands in the way of uid 65534 (nobody).
        await using var executor = await RawExecutor.StartAsync(["--daemon-uid", "4242"]);
        var intruder = await ProcessRunner.RunAsync(
            "setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "dotnet", TestBinaries.PoolProbeDll, "connect", executor.SocketPath, """{"jsonrpc":"2.0","id":1,"method":"ping"}"""]);

        Assert.Equal("closed", intruder.Stdout.Trim());
        Assert.Contains("refused a connection", executor.Stderr, StringComparison.Ordinal);
        Assert.Contains("uid 65534", executor.Stderr, StringComparison.Ordinal);

        using var root = await executor.ConnectAsync();
        await root.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"ping"}""");
        Assert.True((await root.ReadJsonAsync()).GetProperty("result").GetProperty("pong").GetBoolean());
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task OtherUsers_CannotEvenOpenTheSocketOfASameUserDaemon()
    {
        SkipUnlessIsolation();
        await using var executor = await RawExecutor.StartAsync();

        var intruder = await ProcessRunner.RunAsync(
            "setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "dotnet", TestBinaries.PoolProbeDll, "connect", executor.SocketPath, "{}"]);

        Assert.Equal("error: AccessDenied", intruder.Stdout.Trim());
    }

    private static void SkipUnlessIsolation()
    {
        var missing = Isolation.MissingPrerequisite();
        if (missing is not null && Isolation.Required)
        {
            Assert.Fail($"AGOR_REQUIRE_ISOLATION_TESTS=1 but {missing}");
        }

        Skip.If(missing is not null, missing);
    }
}

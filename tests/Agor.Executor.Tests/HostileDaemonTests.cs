using System.Text;
using System.Text.Json;
using Agor.Testing.Support;

namespace Agor.Executor.Tests;

/// <summary>
/// The real agor-executor against a hostile peer on its socket (issue 9, item 2: an 8 MiB batch
/// line got a 478 MB answer and took the executor to 2.24 GB RSS).
/// </summary>
public sealed class HostileDaemonTests
{
    // Stated bound for the executor's peak RSS: its idle ~8 MB, the 8 MiB line in the read
    // buffer and one copy of it, with room for the runtime's own growth.
    private const long PeakBound = 96L * 1024 * 1024;

    private static int Code(JsonElement response) => response.GetProperty("error").GetProperty("code").GetInt32();

    [Fact(Timeout = 60_000)]
    public async Task AnEightMiBBatchBomb_GetsOneSmallAnswerAndTheExecutorStaysSmallAndServing()
    {
        await using var executor = await RawExecutor.StartAsync();
        using var client = await executor.ConnectAsync();
        await client.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""");
        await client.ReadJsonAsync();

        var bomb = new StringBuilder(8 * 1024 * 1024).Append('[');
        while (bomb.Length < (8 * 1024 * 1024) - 64)
        {
            bomb.Append("1,");
        }

        await client.SendAsync(bomb.Append("1]").ToString());
        var answer = await client.ReadLineAsync(TimeSpan.FromSeconds(30));

        Assert.NotNull(answer);
        Assert.True(answer.Length < 512, $"the answer is {answer.Length} bytes");
        Assert.Equal(-32600, Code(JsonDocument.Parse(answer).RootElement));
        await client.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"ping"}""");
        Assert.True((await client.ReadJsonAsync()).GetProperty("result").GetProperty("pong").GetBoolean());
        Assert.False(executor.HasExited);
        var peak = ProcessMemory.PeakResidentBytes(executor.Pid);
        Assert.True(peak < PeakBound, $"the executor's peak RSS was {peak / 1024 / 1024} MiB");
    }

    [Fact(Timeout = 60_000)]
    public async Task BadLinesByTheThousand_AreAnsweredAndLoggedAtPowersOfTwo()
    {
        await using var executor = await RawExecutor.StartAsync();
        using var client = await executor.ConnectAsync();

        for (var round = 0; round < 20; round++)
        {
            await client.SendRawAsync(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope\"}\n", 100))));
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(-32601, Code(await client.ReadJsonAsync()));
            }

            await client.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"ping"}""");
            Assert.True((await client.ReadJsonAsync()).GetProperty("result").GetProperty("pong").GetBoolean());
        }

        // 2,000 violations: logged at 1, 2, 4, ..., 1024.
        var rejected = executor.Stderr.Split('\n').Count(l => l.Contains("rejected a message", StringComparison.Ordinal));
        Assert.InRange(rejected, 1, 11);
    }
}

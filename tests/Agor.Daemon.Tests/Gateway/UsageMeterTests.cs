using System.Text;
using Agor.Daemon.Gateway;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>Usage read from an answer as it passes, however its bytes are split, within a bounded buffer.</summary>
public sealed class UsageMeterTests
{
    private const string Stream = """
        event: message_start
        data: {"type":"message_start","message":{"model":"claude-haiku-4-5","usage":{"input_tokens":120,"output_tokens":1,"cache_creation_input_tokens":7,"cache_read_input_tokens":9}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":42}}


        """;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100_000)]
    public void AStream_SplitAnywhere_GivesTheUpstreamsCumulativeFigures(int chunk)
    {
        using var meter = new UsageMeter(streamed: true);
        var bytes = Encoding.UTF8.GetBytes(Stream.Replace("\n", "\r\n", StringComparison.Ordinal));
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            meter.Observe(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
        }

        meter.Complete();
        Assert.Equal(new ModelUsage(120, 42, 7, 9), meter.Usage);
        Assert.Equal("claude-haiku-4-5", meter.Model);
        Assert.Equal((120 * 1.0 + 42 * 5.0 + 7 * 1.25 + 9 * 0.1) / 1_000_000, PriceTable.Cost(meter.Model, meter.Usage), 12);
    }

    [Fact]
    public void ALineOverTheBuffer_IsNotMetered_AndTheRestStillIs()
    {
        using var meter = new UsageMeter(streamed: true);
        meter.Observe(Encoding.UTF8.GetBytes("data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":1000000},\"x\":\""));
        meter.Observe(new byte[UsageMeter.MaxBufferedBytes]);
        meter.Observe(Encoding.UTF8.GetBytes("\"}}\n"));
        meter.Observe(Encoding.UTF8.GetBytes("data: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":5}}\n"));

        Assert.Equal(new ModelUsage(0, 5, 0, 0), meter.Usage);
    }

    [Fact]
    public void AJsonAnswer_IsReadAtItsEnd_AndAnUnknownModelIsPricedAsTheDearest()
    {
        using var meter = new UsageMeter(streamed: false);
        meter.Observe("{\"model\":\"some-future-model\",\"usage\":{\"input_tokens\":3,"u8);
        meter.Observe("\"output_tokens\":4}}"u8);
        meter.Complete();

        Assert.Equal(new ModelUsage(3, 4, 0, 0), meter.Usage);
        Assert.Equal(PriceTable.Fallback, PriceTable.For(meter.Model));
    }
}

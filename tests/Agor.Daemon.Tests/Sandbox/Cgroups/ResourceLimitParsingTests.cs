using Agor.Daemon.Sandbox;

namespace Agor.Daemon.Tests.Sandbox.Cgroups;

public sealed class ResourceLimitParsingTests
{
    [Theory]
    [InlineData("4G", 4L << 30)]
    [InlineData("512M", 512L << 20)]
    [InlineData("512m", 512L << 20)]
    [InlineData("64k", 64L << 10)]
    [InlineData("2T", 2L << 40)]
    [InlineData("4GiB", 4L << 30)]
    [InlineData("4gib", 4L << 30)]
    [InlineData("512MB", 512L << 20)]
    [InlineData("100B", 100)]
    [InlineData("1073741824", 1073741824)]
    [InlineData(" 4G ", 4L << 30)]
    [InlineData("0", 0)]
    [InlineData("", 0)]
    [InlineData(null, 0)]
    public void ParseMemory_AcceptsBytesAndBinaryUnits(string? text, long expected) =>
        Assert.Equal(expected, ResourceLimitParsing.ParseMemory(text));

    [Theory]
    [InlineData("4X")]
    [InlineData("-1G")]
    [InlineData("1.5G")]
    [InlineData("G")]
    [InlineData("4iB")]
    [InlineData("4 G")]
    [InlineData("99999999999T")]
    [InlineData("four gigs")]
    public void ParseMemory_RefusesWhatIsNotASize_NamingTheValueAndWhatIsAccepted(string text)
    {
        var error = Assert.Throws<FormatException>(() => ResourceLimitParsing.ParseMemory(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("512M, 4G", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("512", 512)]
    [InlineData("0", 0)]
    [InlineData("", 0)]
    [InlineData(null, 0)]
    public void ParsePids_AcceptsAWholeNumber(string? text, long expected) =>
        Assert.Equal(expected, ResourceLimitParsing.ParsePids(text));

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("many")]
    [InlineData("4194305")]
    public void ParsePids_RefusesTheRest(string text)
    {
        var error = Assert.Throws<FormatException>(() => ResourceLimitParsing.ParsePids(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("whole number", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("200%", 2.0)]
    [InlineData("50%", 0.5)]
    [InlineData("1.5", 1.5)]
    [InlineData("2", 2.0)]
    public void ParseCpu_AcceptsPercentagesAndCores(string text, double expected) =>
        Assert.Equal(expected, ResourceLimitParsing.ParseCpu(text));

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void ParseCpu_EmptyIsNoLimit(string? text) => Assert.Null(ResourceLimitParsing.ParseCpu(text));

    [Theory]
    [InlineData("0")]
    [InlineData("0%")]
    [InlineData("-1")]
    [InlineData("two")]
    [InlineData("NaN")]
    [InlineData("0.001")]
    public void ParseCpu_RefusesZeroNegativeAndNonsense(string text)
    {
        var error = Assert.Throws<FormatException>(() => ResourceLimitParsing.ParseCpu(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }
}

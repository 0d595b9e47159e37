using Agor.Executor.Guard;

namespace Agor.Executor.Tests;

/// <summary>The executor's umask option and the guard's command line, both ways.</summary>
public sealed class AgentGuardOptionsTests
{
    [Fact]
    public void CommandLine_RoundTrips_KeepingTheAgentsArgumentsAsTheyAre()
    {
        var line = AgentGuardOptions.CommandLine(4321, Convert.ToInt32("027", 8), "/usr/bin/claude", ["--", "--umask", "x y"]);

        var parsed = AgentGuardOptions.Parse(line);

        Assert.NotNull(parsed);
        Assert.Equal(4321, parsed.ExecutorPid);
        Assert.Equal(Convert.ToInt32("027", 8), parsed.Umask);
        Assert.Equal("/usr/bin/claude", parsed.Program);
        Assert.Equal(["--", "--umask", "x y"], parsed.Arguments);
    }

    [Theory]
    [InlineData("--agent-guard", "--", "/bin/true")]
    [InlineData("--agent-guard", "--executor-pid", "1", "--", "/bin/true")]
    [InlineData("--agent-guard", "--executor-pid", "50", "--umask", "8", "--", "/bin/true")]
    [InlineData("--agent-guard", "--executor-pid", "50")]
    public void Parse_RefusesIncompleteOrWrongLines(params string[] line) => Assert.Null(AgentGuardOptions.Parse(line));

    [Theory]
    [InlineData("022", 18)]
    [InlineData("0777", 511)]
    [InlineData("0", 0)]
    public void Umask_IsOctal(string text, int expected)
    {
        Assert.True(ExecutorOptions.TryParseUmask(text, out var umask));
        Assert.Equal(expected, umask);
    }

    [Theory]
    [InlineData("")]
    [InlineData("8")]
    [InlineData("01000")]
    [InlineData("-22")]
    public void Umask_RefusesWhatIsNotOne(string text) => Assert.False(ExecutorOptions.TryParseUmask(text, out _));

    [Fact]
    public void ExecutorOptions_AgentUmask_DefaultsTo022_AndIsParsed()
    {
        Assert.Equal(18, ExecutorOptions.Parse(["--socket", "/tmp/x.sock"], 0, out _)!.AgentUmask);
        Assert.Equal(23, ExecutorOptions.Parse(["--socket", "/tmp/x.sock", "--agent-umask", "027"], 0, out _)!.AgentUmask);
        Assert.Null(ExecutorOptions.Parse(["--socket", "/tmp/x.sock", "--agent-umask", "9"], 0, out var problem));
        Assert.Contains("--agent-umask", problem, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using Agor.Cli.Output;
using Agor.Cli.Prompt;

namespace Agor.Cli.Tests;

/// <summary>The sandbox's events and health in the CLI's words: each a clear warning where the agent was limited or unconfined.</summary>
public sealed class SandboxTranscriptTests
{
    [Theory]
    [InlineData("""{"type":"system","subtype":"resource_limit","limit":"memory_max","max":"4G","count":1,"message":"memory_max (4G) reached: the kernel killed 1 process"}""", "warning: resource limit: memory_max (4G) reached: the kernel killed 1 process")]
    [InlineData("""{"type":"system","subtype":"resource_limit","limit":"pids_max","max":"512","count":3}""", "warning: resource limit: pids_max (512) reached")]
    [InlineData("""{"type":"system","subtype":"sandbox_unconfined","message":"bwrap was not found; the agent ran unconfined"}""", "warning: UNCONFINED: bwrap was not found; the agent ran unconfined")]
    public void SandboxEvents_AreOneWarningLine(string data, string expected)
    {
        using var document = JsonDocument.Parse(data);

        Assert.Equal(expected, TaskTranscript.SandboxWarning(document.RootElement));
    }

    [Fact]
    public void Health_Unavailable_IsDescribedAsUnconfined_WithTheDaemonsWarning()
    {
        using var document = JsonDocument.Parse("""{"mode":"auto","available":false,"bwrap":null,"seccomp":false,"limits":"rlimit","namespaces":[],"warning":"agents run UNCONFINED: bwrap missing"}""");

        Assert.StartsWith("UNAVAILABLE: agents run UNCONFINED (mode auto; bwrap not found, seccomp no, limits rlimit)", SandboxSummary.Describe(document.RootElement), StringComparison.Ordinal);
        Assert.Equal("agents run UNCONFINED: bwrap missing", SandboxSummary.Warning(document.RootElement));
    }

    [Fact]
    public void Health_Available_IsConfined_WithoutAWarning()
    {
        using var document = JsonDocument.Parse("""{"mode":"required","available":true,"bwrap":"/usr/bin/bwrap","seccomp":true,"limits":"cgroup v1","namespaces":["mount","pid"]}""");

        Assert.Equal("confined (mode required; bwrap /usr/bin/bwrap, seccomp yes, limits cgroup v1; namespaces mount, pid)", SandboxSummary.Describe(document.RootElement));
        Assert.Null(SandboxSummary.Warning(document.RootElement));
    }
}

using System.Text.Json;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Sandbox;

/// <summary><c>agor-executor --probe-sandbox</c>: one JSON line, exit 0, on this machine and with bwrap missing.</summary>
public sealed class SandboxProbeTests
{
    [SkippableFact(Timeout = 60_000)]
    public async Task Probe_OnThisMachine_Works_WithEveryNamespaceAndSeccomp()
    {
        var bwrap = Bubblewrap.Require();

        var result = await ProcessRunner.RunAsync(TestBinaries.ExecutorPath, ["--probe-sandbox", "--bwrap", bwrap]);

        Assert.Equal(0, result.ExitCode);
        var line = Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.True(root.GetProperty("works").GetBoolean(), line);
        Assert.Equal(bwrap, root.GetProperty("bwrap").GetString());
        Assert.Matches(@"^\d+\.\d+", root.GetProperty("bwrap_version").GetString());
        Assert.True(root.GetProperty("seccomp").GetBoolean());
        var namespaces = root.GetProperty("namespaces").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Subset(namespaces.ToHashSet(), new HashSet<string?> { "mount", "pid", "ipc", "uts", "cgroup" });
        Assert.Equal(JsonValueKind.Null, root.GetProperty("problem").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("fix").ValueKind);
    }

    [Fact]
    public async Task Probe_WithBwrapMissing_SaysSoAndHowToFixIt()
    {
        var result = await ProcessRunner.RunAsync(TestBinaries.ExecutorPath, ["--probe-sandbox", "--bwrap", "/nonexistent/bwrap"]);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout.Trim());
        var root = json.RootElement;
        Assert.False(root.GetProperty("works").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("bwrap").ValueKind);
        Assert.False(root.GetProperty("seccomp").GetBoolean());
        Assert.Contains("/nonexistent/bwrap", root.GetProperty("problem").GetString(), StringComparison.Ordinal);
        Assert.Contains("bubblewrap", root.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }
}

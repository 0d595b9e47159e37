using System.Text.Json;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Api;

/// <summary>
/// What the start-up probe finds reaches <c>GET /health</c> and the log. The executor is the real
/// one behind a wrapper that answers <c>--probe-sandbox</c> with a chosen line, so each state of
/// the machine (sandbox usable, bwrap missing) can be had on any machine.
/// </summary>
public sealed class SandboxHealthTests
{
    private const string Works = """{"bwrap":"/usr/bin/bwrap","bwrap_version":"0.8.0","works":true,"namespaces":["mount","pid","ipc","uts","cgroup"],"seccomp":true,"problem":null,"fix":null}""";

    private const string Missing = """{"bwrap":null,"bwrap_version":null,"works":false,"namespaces":[],"seccomp":false,"problem":"bwrap (bubblewrap) was not found","fix":"install bubblewrap (apt-get install bubblewrap)"}""";

    [SkippableFact(Timeout = 60_000)]
    public async Task ProbeWorks_HealthSaysAvailable_WithoutAWarning_AndTheLogHasOneBlock()
    {
        await using var probe = await ProbeWrapper.CreateAsync(Works);
        await using var h = await DaemonHarness.StartAsync(o => o with { Environment = probe.Environment });

        var sandbox = (await Health(h)).GetProperty("sandbox");

        Assert.Equal("auto", sandbox.GetProperty("mode").GetString());
        Assert.True(sandbox.GetProperty("available").GetBoolean());
        Assert.Equal("/usr/bin/bwrap", sandbox.GetProperty("bwrap").GetString());
        Assert.True(sandbox.GetProperty("seccomp").GetBoolean());
        Assert.Contains(sandbox.GetProperty("limits").GetString(), new[] { "cgroup v1", "cgroup v2", "rlimit" });
        Assert.Equal(["mount", "pid", "ipc", "uts", "cgroup"], sandbox.GetProperty("namespaces").EnumerateArray().Select(n => n.GetString()));
        Assert.False(sandbox.TryGetProperty("warning", out _));
        Assert.Contains("sandbox:", h.Daemon.Log, StringComparison.Ordinal);
        Assert.Contains("/usr/bin/bwrap 0.8.0", h.Daemon.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("SANDBOX", h.Daemon.Log, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task AutoAndBwrapMissing_HealthWarnsThatAgentsRunUnconfined_AndTheLogSaysItLoudly()
    {
        await using var probe = await ProbeWrapper.CreateAsync(Missing);
        await using var h = await DaemonHarness.StartAsync(o => o with { Environment = probe.Environment });

        var sandbox = (await Health(h)).GetProperty("sandbox");

        Assert.False(sandbox.GetProperty("available").GetBoolean());
        var warning = sandbox.GetProperty("warning").GetString()!;
        Assert.Contains("UNCONFINED", warning, StringComparison.Ordinal);
        Assert.Contains("bwrap (bubblewrap) was not found", warning, StringComparison.Ordinal);
        Assert.Contains("apt-get install bubblewrap", warning, StringComparison.Ordinal);
        Assert.Contains("!!! SANDBOX UNAVAILABLE", h.Daemon.Log, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task RequiredAndBwrapMissing_HealthWarnsThatTasksAreRefused()
    {
        await using var probe = await ProbeWrapper.CreateAsync(Missing);
        await using var h = await DaemonHarness.StartAsync(o => o with { Environment = probe.Environment, Sandbox = ["mode: required"] });

        var sandbox = (await Health(h)).GetProperty("sandbox");

        Assert.Equal("required", sandbox.GetProperty("mode").GetString());
        Assert.Contains("refused (sandbox_unavailable)", sandbox.GetProperty("warning").GetString(), StringComparison.Ordinal);
        Assert.Contains("SANDBOX REQUIRED BUT UNAVAILABLE", h.Daemon.Log, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task ModeOff_HasNoWarning_EvenWhereTheSandboxIsMissing()
    {
        await using var probe = await ProbeWrapper.CreateAsync(Missing);
        await using var h = await DaemonHarness.StartAsync(o => o with { Environment = probe.Environment, Sandbox = ["mode: off"] });

        var sandbox = (await Health(h)).GetProperty("sandbox");

        Assert.Equal("off", sandbox.GetProperty("mode").GetString());
        Assert.False(sandbox.TryGetProperty("warning", out _));
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task AProbeThatPrintsGarbage_CountsAsUnavailable_NotAsWorking()
    {
        await using var probe = await ProbeWrapper.CreateAsync("""{"works": tr""");
        await using var h = await DaemonHarness.StartAsync(o => o with { Environment = probe.Environment });

        var sandbox = (await Health(h)).GetProperty("sandbox");

        Assert.False(sandbox.GetProperty("available").GetBoolean());
        Assert.Contains("JSON line", sandbox.GetProperty("warning").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> Health(DaemonHarness h)
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(h.Daemon.Address) };
        return await DaemonProcess.ReadAsync(await anonymous.GetAsync(new Uri("/health", UriKind.Relative)), 200);
    }

    /// <summary>A script in front of the real executor: <c>--probe-sandbox</c> prints the given line, anything else runs the executor.</summary>
    private sealed class ProbeWrapper : IAsyncDisposable
    {
        private readonly Executors.TemporaryScript _script;

        private ProbeWrapper(Executors.TemporaryScript script) => _script = script;

        public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["AGOR_EXECUTOR_PATH"] = _script.Path };

        public static async Task<ProbeWrapper> CreateAsync(string line)
        {
            var quoted = "'" + line.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
            var script = await Executors.TemporaryScript.CreateAsync(
                "agor-executor",
                $"#!/bin/sh\nif [ \"$1\" = \"--probe-sandbox\" ]; then printf '%s\\n' {quoted}; exit 0; fi\nexec '{TestBinaries.ExecutorPath}' \"$@\"\n");
            return new ProbeWrapper(script);
        }

        public ValueTask DisposeAsync()
        {
            _script.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

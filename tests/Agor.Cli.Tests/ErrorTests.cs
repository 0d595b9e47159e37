using System.Net;
using System.Net.Sockets;
using Agor.Cli.Tests.Support;
using Agor.Testing.Daemon;
using Agor.Testing.Support;

namespace Agor.Cli.Tests;

/// <summary>Failures a person can act on: one line on stderr, a non-zero exit, no stack trace.</summary>
public sealed class ErrorTests
{
    [Fact(Timeout = 30_000)]
    public async Task DaemonNotRunning_SaysWhereItLookedAndHowToStartIt()
    {
        await using var home = AgorHomeDirectory.CreateEmpty();
        await home.RunCheckedAsync("init");
        home.Environment["AGOR_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await home.RunAsync("session", "list");

        AssertOneLineError(result);
        Assert.Contains($"the daemon is not running at http://127.0.0.1:{home.Environment["AGOR_PORT"]}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("agor daemon start", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task UnreachableAddress_NamesTheAddress()
    {
        await using var home = AgorHomeDirectory.CreateEmpty();
        await home.RunCheckedAsync("init");
        // 192.0.2.0/24 is reserved for documentation: nothing answers there.
        await File.WriteAllTextAsync(home.ConfigPath, "daemon:\n  host: 192.0.2.1\n  port: 3030\n");

        var result = await home.RunAsync("executor", "list");

        AssertOneLineError(result);
        Assert.Contains("http://192.0.2.1:3030", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task BadFlag_IsReportedBySystemCommandLine_WithExitCode64()
    {
        await using var home = AgorHomeDirectory.CreateEmpty();

        var result = await home.RunAsync("session", "list", "--bogus");

        AssertOneLineError(result);
        Assert.Equal(64, result.ExitCode);
        Assert.Contains("'--bogus'", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact(Timeout = 30_000)]
    public async Task SetupIsolation_WithoutRoot_RefusesClearly()
    {
        // As root, the command runs as nobody, as a person who forgot sudo would.
        var command = Agor.Testing.Support.Isolation.IsRoot
            ? ("setpriv", new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "--", DaemonProcess.AgorPath, "setup-executor-isolation" })
            : (DaemonProcess.AgorPath, new[] { "setup-executor-isolation" });

        var run = await ProcessRunner.RunAsync(command.Item1, command.Item2, new Dictionary<string, string> { ["AGOR_HOME"] = "/nonexistent/agor-home" });
        var result = new CliResult(run.ExitCode, run.Stdout, run.Stderr);

        AssertOneLineError(result);
        Assert.Equal(77, result.ExitCode);
        Assert.Contains("needs root", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("sudo agor setup-executor-isolation", result.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task UnknownId_WrongToken_AndStoppingAFinishedTask_AreTheApisOwnWords()
    {
        await using var h = await CliHarness.StartAsync();
        h.Model.Script.EnqueueText("Done.");
        var session = await h.CreateSessionAsync();
        var prompt = await h.Home.RunAsync("prompt", session, "hello");
        var task = (await h.Home.RunJsonAsync("task", "list", session))[0].GetProperty("id").GetString()!;

        var unknownSession = await h.Home.RunAsync("session", "show", "ses_doesnotexist");
        var unknownPermission = await h.Home.RunAsync("permission", "allow", "perm_doesnotexist");
        var finished = await h.Home.RunAsync("task", "stop", task);
        await File.WriteAllTextAsync(h.Home.TokenPath, "not-the-token\n");
        var refused = await h.Home.RunAsync("session", "list");

        Assert.True(prompt.ExitCode == 0, prompt.ToString());
        AssertOneLineError(unknownSession);
        Assert.Contains("No session with id 'ses_doesnotexist'", unknownSession.Stderr, StringComparison.Ordinal);
        AssertOneLineError(unknownPermission);
        Assert.Contains("No permission request with id 'perm_doesnotexist'", unknownPermission.Stderr, StringComparison.Ordinal);
        AssertOneLineError(finished);
        Assert.Contains("already finished", finished.Stderr, StringComparison.Ordinal);
        AssertOneLineError(refused);
        Assert.Contains("401", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains(h.Home.TokenPath, refused.Stderr, StringComparison.Ordinal);
    }

    private static void AssertOneLineError(CliResult result)
    {
        Assert.True(result.ExitCode != 0, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("agor: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

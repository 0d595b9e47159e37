using Agor.Cli.Tests.Support;

namespace Agor.Cli.Tests;

/// <summary>
/// agor as a user installs it: a published folder and a .NET tool, each run from where it was
/// installed, with the native executor beside it running a real prompt through the sandbox.
/// </summary>
public sealed class InstallTests(InstalledAgor installed) : IClassFixture<InstalledAgor>
{
    private static readonly byte[] ElfMagic = [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    [SkippableFact(Timeout = 180_000)]
    public async Task Publish_MakesAFolderThatRuns_WithTheNativeExecutorBesideAgor()
    {
        var executor = Path.Combine(installed.PublishDirectory, "agor-executor");

        AssertNativeExecutor(executor);
        await AssertRunsAPromptAsync(Path.Combine(installed.PublishDirectory, "agor"), "From the published folder.");
    }

    [SkippableFact(Timeout = 180_000)]
    public async Task ToolPackage_InstallsFromItsFolder_AndDaemonStartRunsAPrompt()
    {
        var agor = Path.Combine(installed.ToolDirectory, "agor");
        var target = new FileInfo(agor).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? agor;

        Assert.Contains("Tool 'agor' (version '0.1.0') was successfully installed.", installed.ToolInstallOutput, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("tools", "net10.0", "linux-x64"), target, StringComparison.Ordinal);
        Assert.Contains(Directory.GetFiles(installed.PackageDirectory), p => Path.GetFileName(p) == "agor.linux-x64.0.1.0.nupkg");
        AssertNativeExecutor(Path.Combine(Path.GetDirectoryName(target)!, "agor-executor"));
        await AssertRunsAPromptAsync(agor, "From the installed tool.");
    }

    /// <summary>One NativeAOT program: an ELF file, and none of a managed app's assembly or runtime config beside it.</summary>
    private static void AssertNativeExecutor(string executor)
    {
        Assert.True(File.Exists(executor), $"{executor} is missing");
        var head = new byte[4];
        using (var file = File.OpenRead(executor))
        {
            file.ReadExactly(head);
        }

        Assert.Equal(ElfMagic, head);
        Assert.True(File.GetUnixFileMode(executor).HasFlag(UnixFileMode.UserExecute), $"{executor} is not executable");
        var folder = Path.GetDirectoryName(executor)!;
        Assert.False(File.Exists(Path.Combine(folder, "agor-executor.dll")), "a managed agor-executor.dll was shipped beside the native one");
        Assert.False(File.Exists(Path.Combine(folder, "agor-executor.runtimeconfig.json")), "the executor needs a .NET runtime");
    }

    /// <summary><c>agor daemon start</c> from the installed <paramref name="agor"/>, a session, and a prompt answered through its executor.</summary>
    private static async Task AssertRunsAPromptAsync(string agor, string answer)
    {
        await using var h = await CliHarness.StartAsync(agorPath: agor);
        h.Model.Script.EnqueueText(answer);
        var session = await h.CreateSessionAsync();

        var result = await h.Home.RunAsync("prompt", session, "Say where you run from");
        var status = await h.Home.RunJsonAsync("daemon", "status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(answer, result.Stdout.Trim());
        Assert.Equal(System.Diagnostics.Process.GetProcessById(h.Home.DaemonPid()!.Value).MainModule!.FileName, new FileInfo(agor).ResolveLinkTarget(true)?.FullName ?? agor);
        Assert.True(status.GetProperty("sandbox").GetProperty("available").GetBoolean() || Testing.Support.Bubblewrap.Path is null, "the installed executor's sandbox probe failed");
    }
}

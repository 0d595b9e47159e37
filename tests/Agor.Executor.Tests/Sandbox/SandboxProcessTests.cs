using System.Diagnostics;
using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Sandbox;

/// <summary>Escapes through other processes and the kernel, tried by the real agent inside the real bwrap; each is refused.</summary>
public sealed class SandboxProcessTests
{
    [SkippableFact(Timeout = 120_000)]
    public async Task Ps_ShowsOnlyTheSandboxsTree_AndTheExecutorCannotBeSignalled()
    {
        await using var h = await SandboxHarness.StartAsync();
        var executor = h.Prompt.Daemon.Executor.Pid;
        var command = $"echo COUNT=$(ps -e --no-headers | wc -l); ps -e -o pid=,comm=; kill -0 {executor}; echo KILL=$?; kill -STOP {executor}; echo STOP=$?; echo END";

        var (completion, output, _) = await h.RunBashAsync(command, h.Spec());

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.Contains("END", output, StringComparison.Ordinal);
        Assert.DoesNotContain("agor-executor", output, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet", output, StringComparison.Ordinal);
        Assert.DoesNotContain("testhost", output, StringComparison.Ordinal);
        Assert.DoesNotContain("KILL=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("STOP=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\tT", File.ReadAllText($"/proc/{executor}/status").Split('\n').First(l => l.StartsWith("State:", StringComparison.Ordinal)), StringComparison.Ordinal);

        // bwrap's init, claude, the shell and its children: a handful, nothing of the host's hundreds.
        var count = int.Parse(output.Split('\n').First(l => l.StartsWith("COUNT=", StringComparison.Ordinal))["COUNT=".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(count, 2, 12);
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task Ptrace_Unshare_AreRefused_AndTheSeccompFilterIsOn()
    {
        await using var h = await SandboxHarness.StartAsync();
        using var outside = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            // PTRACE_ATTACH (16) of a process outside, and of a sibling inside.
            var command = $"perl -e 'print \"OUTSIDE=\", syscall(101,16,{outside.Id},0,0), \" $!\\n\"'; "
                + "sleep 60 & perl -e 'print \"SIBLING=\", syscall(101,16,'$!',0,0), \" $!\\n\"'; kill $!; "
                + "unshare -U true; echo UNSHARE=$?; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; echo END";

            var (completion, output, _) = await h.RunBashAsync(command, h.Spec());

            Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
            Assert.Contains("END", output, StringComparison.Ordinal);
            Assert.Contains("OUTSIDE=-1 ", output, StringComparison.Ordinal);
            Assert.Contains("SIBLING=-1 Operation not permitted", output, StringComparison.Ordinal);
            Assert.DoesNotContain("UNSHARE=0", output, StringComparison.Ordinal);
            Assert.Matches(@"Seccomp:\s+2", output);
            Assert.Matches(@"NoNewPrivs:\s+1", output);
            Assert.Contains("TracerPid:\t0", File.ReadAllText($"/proc/{outside.Id}/status"), StringComparison.Ordinal);
        }
        finally
        {
            outside.Kill();
            await outside.WaitForExitAsync();
        }
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task ExecutorSigkilled_TheConfinedTreeDies_AndTheFileIsNeverWritten()
    {
        await using var h = await SandboxHarness.StartAsync();
        var marker = Path.Combine(h.WorkingDirectory, "written-after-death");

        var taskId = await h.StartBashAsync($"(setsid sh -c 'sleep 45; touch {marker}' &) ; sleep 45; touch {marker}", h.Spec());
        await h.Prompt.Daemon.WaitForMessageAsync(m => m.TaskId == taskId && m.EventType == EventTypes.ToolCall);
        var tree = await ProcessTreeSnapshot.WaitForAsync(h.Prompt.Daemon.Executor.Pid, "sleep 45", count: 2, TimeSpan.FromSeconds(30));
        Assert.Contains(tree.Processes, p => p.CommandLine.Contains("bwrap", StringComparison.Ordinal));

        Assert.True(Signals.Send(h.Prompt.Daemon.Executor.Pid, Signals.SigKill));
        var survivors = await tree.WaitUntilAllGoneAsync(TimeSpan.FromSeconds(15));

        Assert.True(survivors.Count == 0, $"still running after the executor died: {string.Join("; ", survivors)}");
        Assert.False(File.Exists(marker));
    }
}

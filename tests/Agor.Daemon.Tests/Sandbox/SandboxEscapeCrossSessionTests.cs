using Agor.Testing.ScriptedModel;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Sandbox;

/// <summary>
/// One session's agent against another session's executor and files, and ptrace from inside:
/// today every session's agent runs as the same Unix user, so without the sandbox an injected
/// prompt could stop, kill or attach to another session's executor, read its environment and
/// memory, and write into its working directory. Each attempt fails; the other task completes.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class SandboxEscapeCrossSessionTests
{
    private const int SigCont = 18;

    // x86_64: syscall 101 is ptrace, request 16 is PTRACE_ATTACH.
    private const string PtraceAttach = """perl -e 'print "ptrace=", syscall(101, 16, $ARGV[0] + 0, 0, 0), " $!\n"'""";

    // Reads 16 bytes of the process's first mapping: what gcore does, in small.
    private const string ReadMemory = """perl -e 'open(M, "/proc/$ARGV[0]/maps") or die "maps: $!\n"; my ($a) = (<M> =~ /^([0-9a-f]+)-/); open(F, "<", "/proc/$ARGV[0]/mem") or die "mem: $!\n"; seek(F, hex($a), 0); print "mem=", (read(F, my $b, 16) // -1), "\n"'""";

    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ptrace_OfTheAgentsOwnChild_IsDeniedBySeccomp(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        Skip.IfNot(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64, "the ptrace syscall number used is x86_64's");
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser);
        var session = await h.CreateSessionAsync();

        var run = await h.RunBashAsync(session, $"sleep 30 & P=$!; {PtraceAttach} $P; kill -9 $P; wait $P 2>/dev/null; true");

        Assert.Equal("completed", run.Status);
        Assert.Contains("ptrace=-1", run.Output, StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", run.Output, StringComparison.Ordinal);
    }

    [SkippableTheory(Timeout = 240_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnotherSessionsExecutor_CannotBeStoppedKilledAttachedReadOrWrittenInto_AndItsTaskCompletes(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        Skip.IfNot(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64, "the ptrace syscall number used is x86_64's");
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser);
        var victimDirectory = await h.NewWorkingDirectoryAsync();
        var victim = await h.CreateSessionAsync(victimDirectory, permissionMode: "default");
        var attacker = await h.CreateSessionAsync();

        // The victim's task waits on a permission while the attacker runs.
        var marker = "victim-" + Guid.NewGuid().ToString("N")[..12];
        var victimFile = Path.Combine(victimDirectory, "victim.txt");
        h.Model.Script
            .Enqueue(ScriptedTurn.ToolUse("Write", new { file_path = victimFile, content = "victim wrote this\n" }), r => r.UserText.Contains(marker, StringComparison.Ordinal))
            .Enqueue(ScriptedTurn.Text("Written."), r => r.UserText.Contains(marker, StringComparison.Ordinal));
        var victimTask = await h.Inner.PromptAsync(victim, $"Write the file {marker}");
        var asked = await h.Inner.Events.WaitForAsync(e => e.Type == "permission.requested" && e.Str("task_id") == victimTask);
        var victimPid = await h.ExecutorPidOfAsync(victimTask);
        var p = SandboxE2EHarness.Id(victimPid);
        try
        {
            var attack = await h.RunBashAsync(attacker, string.Join("; ", [
                $"kill -STOP {p}; echo \"stop=$?\"",
                $"kill -9 {p}; echo \"kill=$?\"",
                $"{PtraceAttach} {p}",
                $"head -c 200 /proc/{p}/environ >/dev/null 2>&1; echo \"environ=$?\"",
                $"{ReadMemory} {p} 2>&1",
                $"echo pwned > {victimDirectory}/pwned.txt; echo \"write=$?\"",
                "echo \"sockets=$(ls /tmp/agor-executor-*.sock 2>/dev/null | wc -l)\""]));

            Assert.Equal("completed", attack.Status);
            var seen = attack.Output;
            foreach (var succeeded in new[] { "stop=0", "kill=0", "environ=0", "write=0", "mem=16" })
            {
                Assert.DoesNotContain(succeeded, seen, StringComparison.Ordinal);
            }

            Assert.Contains("ptrace=-1", seen, StringComparison.Ordinal);
            Assert.Contains("sockets=0", seen, StringComparison.Ordinal);
            Assert.True(ProcessTable.IsRunning(victimPid), "the victim's executor was killed");
            Assert.DoesNotContain(File.ReadAllText($"/proc/{victimPid}/stat").Split(')')[^1].Trim()[..1], new[] { "T", "t" });
            Assert.False(File.Exists(Path.Combine(victimDirectory, "pwned.txt")));

            await h.Inner.Daemon.PostAsync($"/permissions/{asked.Str("id")}", new { decision = "allow" });
            var victimRun = await h.Inner.WaitForTaskEndAsync(victimTask, TimeSpan.FromSeconds(120));
            Assert.Equal("completed", victimRun.GetProperty("status").GetString());
            Assert.Equal("victim wrote this\n", await File.ReadAllTextAsync(victimFile));
        }
        finally
        {
            // Were the sandbox missing, the attack would have stopped the victim: let it go on, so the daemon can end it.
            Signals.Send(victimPid, SigCont);
        }
    }
}

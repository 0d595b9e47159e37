using Agor.Protocol.Wire;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Sandbox;

/// <summary>Escapes through the filesystem, tried by the real agent's Bash inside the real bwrap; each finds nothing.</summary>
public sealed class SandboxFilesystemTests
{
    [SkippableFact(Timeout = 120_000)]
    public async Task DeniedAgorHome_Root_AndOtherHomes_AreNotVisible()
    {
        await using var h = await SandboxHarness.StartAsync();
        var otherHome = Directory.CreateDirectory($"/home/agor-other-{Guid.NewGuid():N}"[..24]).FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(otherHome, "secret.txt"), "other-users-secret\n");
            var command = $"cat {h.AgorHome}/config.yaml; echo DENY=$(ls -A {h.AgorHome} | wc -l); cat {otherHome}/secret.txt; echo ROOT=$(ls -A /root | wc -l); echo HOMES=$(ls -A /home | tr '\\n' ,); echo HOME=$HOME; echo END";

            var (completion, output, _) = await h.RunBashAsync(command, h.Spec());

            Assert.True(completion.Status == CompletionStatus.Completed, $"{completion.Error?.Code}: {completion.Error?.Message}");
            Assert.Contains("END", output, StringComparison.Ordinal);
            Assert.DoesNotContain("agor-secret-token", output, StringComparison.Ordinal);
            Assert.DoesNotContain("other-users-secret", output, StringComparison.Ordinal);
            Assert.Contains("HOME=/home/agent", output, StringComparison.Ordinal);
            Assert.Contains("DENY=0\n", output, StringComparison.Ordinal);
            Assert.Contains("ROOT=0\n", output, StringComparison.Ordinal);
            Assert.Contains("HOMES=agent,\n", output, StringComparison.Ordinal);
            var report = Assert.IsType<SandboxReport>(completion.Sandbox);
            Assert.True(report.Confined);
            Assert.Equal("bwrap", report.Mechanism);
            Assert.True(report.Seccomp);
            Assert.Equal("/home/agent", report.Home);
        }
        finally
        {
            Directory.Delete(otherHome, recursive: true);
        }
    }

    [SkippableFact(Timeout = 180_000)]
    public async Task WritesOutsideTheWorkingDirectory_Fail_AndTmpIsPrivateToTheTask()
    {
        await using var h = await SandboxHarness.StartAsync();
        var name = $"agor-planted-{Guid.NewGuid():N}"[..24];
        var outside = Directory.CreateDirectory(Path.Combine("/var/tmp", name + "-dir")).FullName;
        try
        {
            var command = $"echo x > /etc/{name}; echo ETC=$?; echo y > {outside}/f; echo OUT=$?; echo z > /tmp/{name}; echo TMP=$?; cat /tmp/{name}; echo w > inside.txt; echo CWD=$?; echo END";
            var (first, output, _) = await h.RunBashAsync(command, h.Spec());
            var (second, later, _) = await h.RunBashAsync($"cat /tmp/{name}; echo SECOND=$?; echo END", h.Spec());

            Assert.True(first.Status == CompletionStatus.Completed, first.Error?.Message);
            Assert.Contains("END", output, StringComparison.Ordinal);
            Assert.DoesNotContain("ETC=0", output, StringComparison.Ordinal);
            Assert.DoesNotContain("OUT=0", output, StringComparison.Ordinal);
            Assert.Contains("TMP=0", output, StringComparison.Ordinal);
            Assert.Contains("CWD=0", output, StringComparison.Ordinal);
            Assert.False(File.Exists($"/etc/{name}"));
            Assert.False(File.Exists(Path.Combine(outside, "f")));
            Assert.False(File.Exists($"/tmp/{name}"), "the sandbox's /tmp reached the host's");
            Assert.True(File.Exists(Path.Combine(h.WorkingDirectory, "inside.txt")));

            Assert.True(second.Status == CompletionStatus.Completed, second.Error?.Message);
            Assert.Contains("END", later, StringComparison.Ordinal);
            Assert.DoesNotContain("SECOND=0", later, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
            File.Delete($"/etc/{name}");
            File.Delete($"/tmp/{name}");
        }
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task GitHooksAndConfig_AreReadOnly_WhileAddAndCommitWork()
    {
        await using var h = await SandboxHarness.StartAsync();
        var init = await ProcessRunner.RunAsync("git", ["init", "-q", h.WorkingDirectory]);
        Assert.Equal(0, init.ExitCode);
        Directory.Delete(Path.Combine(h.WorkingDirectory, ".git", "hooks"), recursive: true);
        var command = "echo evil > .git/hooks/pre-commit; echo HOOK=$?; git config core.hooksPath /tmp; echo CONFIG=$?; "
            + "echo a > a.txt && git add a.txt && git -c user.name=a -c user.email=a@b commit -qm first && echo COMMITS=$(git log --oneline | wc -l); echo END";

        var (completion, output, _) = await h.RunBashAsync(command, h.Spec());

        Assert.True(completion.Status == CompletionStatus.Completed, completion.Error?.Message);
        Assert.Contains("END", output, StringComparison.Ordinal);
        Assert.DoesNotContain("HOOK=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CONFIG=0", output, StringComparison.Ordinal);
        Assert.Contains("COMMITS=1", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(h.WorkingDirectory, ".git", "hooks", "pre-commit")));
        Assert.True(Directory.Exists(Path.Combine(h.WorkingDirectory, ".git", "hooks")), "the missing hooks directory was not created to be bound read-only");
        Assert.DoesNotContain("hooksPath", await File.ReadAllTextAsync(Path.Combine(h.WorkingDirectory, ".git", "config")), StringComparison.Ordinal);
    }
}

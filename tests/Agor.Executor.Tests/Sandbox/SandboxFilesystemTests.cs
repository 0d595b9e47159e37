using Agor.Protocol.Wire;

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
}

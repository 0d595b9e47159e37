using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Sandbox;

/// <summary>
/// Writes a prompt-injected agent tries from inside the sandbox: outside its working directory,
/// into <c>/tmp</c>, into the repository's hooks and config; and what one session leaves in its
/// <c>$HOME</c> for the next. Each spec runs as the daemon's own user and with <c>run_as_unix_user</c>.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class SandboxEscapeFilesystemTests
{
    [SkippableTheory(Timeout = 300_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WritesOutsideTheWorkingDirectory_Fail_OrLandInAPrivateTmp_TheNextTaskDoesNotSee(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        var name = "agor-e2e-" + Guid.NewGuid().ToString("N")[..12];
        // Writable by anyone on the host, outside every working directory: only the sandbox keeps the agent out.
        var outside = Directory.CreateDirectory(Path.Combine("/var/tmp", name + "-outside")).FullName;
        File.SetUnixFileMode(outside, (UnixFileMode)0b111_111_111);
        string[] hostPaths = [$"/etc/{name}", $"/usr/{name}", Path.Combine(outside, name), $"/tmp/{name}", $"/var/tmp/{name}"];
        try
        {
            await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser);
            var cwd = await h.NewWorkingDirectoryAsync();
            var session = await h.CreateSessionAsync(cwd);

            var first = await h.RunBashAsync(session, string.Join("; ", [
                $"echo x > /etc/{name}; echo \"etc=$?\"",
                $"echo x > /usr/{name}; echo \"usr=$?\"",
                $"echo x > {outside}/{name}; echo \"outside=$?\"",
                $"echo x > /var/tmp/{name}; echo \"vartmp=$?\"",
                $"echo secret > /tmp/{name}; echo \"tmp=$?\"",
                "echo x > in-cwd.txt; echo \"cwd=$?\""]));
            var second = await h.RunBashAsync(session, $"cat /tmp/{name} 2>/dev/null; echo \"tmp-again=$?\"");

            Assert.Equal("completed", first.Status);
            var seen = first.Output;
            Assert.Contains("cwd=0", seen, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(cwd, "in-cwd.txt")));
            foreach (var refused in new[] { "etc=0", "usr=0", "outside=0", "vartmp=0" })
            {
                Assert.DoesNotContain(refused, seen, StringComparison.Ordinal);
            }

            Assert.All(hostPaths, path => Assert.False(File.Exists(path), $"{path} was written on the host"));
            Assert.Equal("completed", second.Status);
            Assert.Contains("tmp-again=1", second.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", second.Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var path in hostPaths.Where(File.Exists))
            {
                File.Delete(path);
            }

            Directory.Delete(outside, recursive: true);
        }
    }

    [SkippableTheory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GitHooksAndConfig_CannotBeWritten_WhileGitAddAndCommitWork(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser);
        var repository = await h.NewWorkingDirectoryAsync(gitRepository: true);
        var session = await h.CreateSessionAsync(repository);

        var run = await h.RunBashAsync(session, string.Join("; ", [
            "printf '#!/bin/sh\\ntouch /var/tmp/agor-e2e-hook-ran\\n' > .git/hooks/pre-commit; echo \"hook=$?\"",
            "git config core.hooksPath /var/tmp; echo \"config=$?\"",
            "echo hello > a.txt && git add a.txt && git -c user.name=a -c user.email=a@b commit -q -m 'agent commit' && echo committed",
            "git log --oneline | head -3"]));

        Assert.Equal("completed", run.Status);
        var seen = run.Output;
        Assert.Contains("committed", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("hook=0", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("config=0", seen, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(repository, ".git", "hooks", "pre-commit")));
        Assert.DoesNotContain("hooksPath", await File.ReadAllTextAsync(Path.Combine(repository, ".git", "config")), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("agent commit", await SandboxE2EHarness.GitAsync(repository, "log", "--oneline"), StringComparison.Ordinal);
        Assert.False(File.Exists("/var/tmp/agor-e2e-hook-ran"));
    }

    [SkippableTheory(Timeout = 300_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WhatOneSessionPlantsInItsHome_IsKeptForItsNextTask_AbsentFromAnotherSession_AndGoesWithTheSession(bool runAsUnixUser)
    {
        SandboxPrerequisites.Require(runAsUnixUser);
        var id = Guid.NewGuid().ToString("N")[..12];
        var marker = $".agor-e2e-{id}";
        await using var h = await SandboxE2EHarness.StartAsync(runAsUnixUser);
        try
        {
            var a = await h.CreateSessionAsync();
            var b = await h.CreateSessionAsync();

            // The attack of the issue: settings (here an env entry, harmless) that every later agent of this user would load.
            var plant = await h.RunBashAsync(a, $"mkdir -p ~/.claude && [ ! -e ~/.claude/settings.json ] && printf '{{\"env\":{{\"AGOR_E2E_PLANTED\":\"{id}\"}}}}' > ~/.claude/settings.json; echo planted > ~/{marker}; echo \"home=$HOME\"");
            var again = await h.RunBashAsync(a, $"cat ~/{marker}; echo \"settings=$(cat ~/.claude/settings.json)\"");
            var other = await h.RunBashAsync(b, $"cat ~/{marker} 2>/dev/null; echo \"file=$?\"; echo \"settings=[$(cat ~/.claude/settings.json 2>/dev/null)] env=[$AGOR_E2E_PLANTED]\"");

            Assert.Equal("completed", plant.Status);
            Assert.Contains("home=/home/agent", plant.Output, StringComparison.Ordinal);
            Assert.Equal("completed", again.Status);
            Assert.Contains("planted", again.Output, StringComparison.Ordinal);
            Assert.Contains(id, again.Output, StringComparison.Ordinal);
            Assert.Equal("completed", other.Status);
            Assert.Contains("file=1", other.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(id, other.Output, StringComparison.Ordinal);

            // --resume across the session's tasks: the second task's request carries the first turn.
            var resumed = h.Model.ConversationRequests.Last(r => r.UserText.Contains(again.Prompt, StringComparison.Ordinal));
            Assert.Contains(resumed.UserTexts, t => t.Contains(plant.Prompt, StringComparison.Ordinal));
            Assert.DoesNotContain(h.Model.ConversationRequests.Where(r => r.UserText.Contains(other.Prompt, StringComparison.Ordinal)), r => r.UserText.Contains(plant.Prompt, StringComparison.Ordinal));

            // On the host: A's home is its own (0700, the agent's user), B's does not hold A's file.
            var homeOfA = h.AgentHomeOf(a);
            Assert.True(File.Exists(Path.Combine(homeOfA, marker)), $"{homeOfA} holds no {marker}");
            Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(homeOfA));
            Assert.Equal(await h.AgentUidAsync(), await FileOwner.UidAsync(homeOfA));
            Assert.False(File.Exists(Path.Combine(h.AgentHomeOf(b), marker)));

            using var deleted = await h.Inner.Daemon.Http.DeleteAsync(new Uri($"/sessions/{a}", UriKind.Relative));
            Assert.Equal(204, (int)deleted.StatusCode);
            Assert.False(Directory.Exists(homeOfA), $"{homeOfA} outlived its session");
        }
        finally
        {
            // Were the sandbox missing, the plant would have landed in the executor user's real home.
            var realHome = h.RunAsUnixUser ? SandboxE2EHarness.PasswdHome(SandboxE2EHarness.ExecutorUser) : Path.Combine(h.Home, "user-home");
            RemovePlanted(realHome, marker, id);
        }
    }

    private static void RemovePlanted(string home, string marker, string id)
    {
        File.Delete(Path.Combine(home, marker));
        var settings = Path.Combine(home, ".claude", "settings.json");
        if (File.Exists(settings) && File.ReadAllText(settings).Contains(id, StringComparison.Ordinal))
        {
            File.Delete(settings);
        }
    }
}

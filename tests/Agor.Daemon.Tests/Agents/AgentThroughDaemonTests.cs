using System.Text.Json;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Agents;

/// <summary>
/// Codex and Gemini as a user runs them: a real daemon, the real CLI in the sandbox, its scripted
/// model behind the daemon's gateway. Each spec is the one Claude Code passes, asked of both.
/// </summary>
public sealed class AgentThroughDaemonTests
{
    [SkippableTheory(Timeout = 120_000)]
    [InlineData("codex")]
    [InlineData("gemini")]
    public async Task AText_StreamsAsDeltas_CompletesWithTheGatewaysUsage_AndOnlyTheUpstreamSeesTheRealKey(string agent)
    {
        await using var h = await AgentE2EHarness.StartAsync(agent);
        h.Model.EnqueueText("Hello", " from", " the", " agent.");
        var session = await h.CreateSessionAsync();

        var taskId = await h.Inner.PromptAsync(session, "Say hello");
        var task = await h.Inner.WaitForTaskEndAsync(taskId);

        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.True(h.DeltasOf(taskId) >= 2, $"{h.DeltasOf(taskId)} deltas on the event stream");
        Assert.True(task.GetProperty("token_usage").GetProperty("output_tokens").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Number, task.GetProperty("cost_usd").ValueKind);
        Assert.All(h.Model.PresentedKeys, key => Assert.Equal(h.Model.RealKey, key));
        var models = (await h.Inner.Daemon.GetAsync($"/tasks/{taskId}/egress")).EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "model").ToList();
        Assert.NotEmpty(models);
        Assert.All(models, m => Assert.True(m.GetProperty("allowed").GetBoolean()));
        var messages = await h.Inner.Daemon.Http.GetStringAsync($"/sessions/{session}/messages");
        Assert.Contains("agent.", messages, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Model.RealKey, messages + h.Inner.Daemon.Log, StringComparison.Ordinal);
        Assert.Equal(Bubblewrap.Path is not null, task.GetProperty("sandbox").GetProperty("confined").GetBoolean());
    }

    [SkippableTheory(Timeout = 120_000)]
    [InlineData("codex")]
    [InlineData("gemini")]
    public async Task AShellCommand_IsAsked_AllowedThroughTheApi_Runs_AndItsOutputReachesTheModel(string agent)
    {
        await using var h = await AgentE2EHarness.StartAsync(agent);
        var marker = "ran-" + Guid.NewGuid().ToString("N")[..8];
        h.Model.EnqueueShell($"echo {marker} > shell.txt && echo {marker}-printed");
        h.Model.EnqueueText("Done.");
        var session = await h.CreateSessionAsync();

        var taskId = await h.Inner.PromptAsync(session, "Run it");
        var asked = await h.DecideNextAsync(taskId, allow: true);
        var task = await h.Inner.WaitForTaskEndAsync(taskId);

        Assert.Contains(marker, asked.GetProperty("tool_input").GetRawText(), StringComparison.Ordinal);
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Equal(marker + "\n", await File.ReadAllTextAsync(Path.Combine(h.Inner.WorkingDirectory, "shell.txt")));
        Assert.Contains(h.Model.ToolOutputs, o => o.Contains(marker + "-printed", StringComparison.Ordinal));
        Assert.Contains(h.Inner.Events.Events, e => e.Type == "permission.resolved" && e.Str("status") == "allowed");
    }

    [SkippableTheory(Timeout = 120_000)]
    [InlineData("codex")]
    [InlineData("gemini")]
    public async Task AFileEdit_IsAsked_Denied_NothingIsWritten_AndTheTaskCompletes(string agent)
    {
        await using var h = await AgentE2EHarness.StartAsync(agent);
        h.Model.EnqueueWriteFile(h.Inner.WorkingDirectory, "denied.txt", "must not exist\n");
        h.Model.EnqueueText("Understood.");
        var session = await h.CreateSessionAsync();

        var taskId = await h.Inner.PromptAsync(session, "Write denied.txt");
        await h.DecideNextAsync(taskId, allow: false);
        var task = await h.Inner.WaitForTaskEndAsync(taskId);

        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.False(File.Exists(Path.Combine(h.Inner.WorkingDirectory, "denied.txt")));
        Assert.Equal(2, h.Model.ConversationRequests);
        Assert.Contains(h.Inner.Events.Events, e => e.Type == "permission.resolved" && e.Str("status") == "denied");
    }

    [SkippableTheory(Timeout = 120_000)]
    [InlineData("codex")]
    [InlineData("gemini")]
    public async Task Stop_DuringASlowStream_EndsTheTaskCancelled_AndLeavesNoAgentProcess(string agent)
    {
        await using var h = await AgentE2EHarness.StartAsync(agent);
        h.Model.EnqueueSlowText(400, TimeSpan.FromMilliseconds(100));
        var session = await h.CreateSessionAsync();

        var taskId = await h.Inner.PromptAsync(session, "Talk slowly");
        await h.Inner.Events.WaitForAsync(e => e.Type == "message.delta" && e.Str("task_id") == taskId);
        var running = AgentProcessesIn(h.Inner.WorkingDirectory);
        var stopped = await h.Inner.Daemon.PostAsync($"/tasks/{taskId}/stop");
        var task = await h.Inner.WaitForTaskEndAsync(taskId);

        Assert.NotEmpty(running);
        Assert.Equal("cancelled", stopped.GetProperty("status").GetString());
        Assert.Equal("cancelled", task.GetProperty("status").GetString());
        Assert.All(running, pid => Assert.False(ProcessTable.IsRunning(pid) && !ProcessTable.IsZombie(pid), $"agent process {pid} outlived the stop"));
        Assert.DoesNotContain("tick400", await h.Inner.Daemon.Http.GetStringAsync($"/sessions/{session}/messages"), StringComparison.Ordinal);
    }

    [SkippableTheory(Timeout = 150_000)]
    [InlineData("codex")]
    [InlineData("gemini")]
    public async Task ASecondPrompt_ContinuesTheConversation_TheModelSeesTheFirst(string agent)
    {
        await using var h = await AgentE2EHarness.StartAsync(agent);
        var word = "alpha" + Guid.NewGuid().ToString("N")[..6];
        h.Model.EnqueueText($"Noted: {word}.");
        h.Model.EnqueueText("It was the word.");
        var session = await h.CreateSessionAsync();

        var first = await h.Inner.WaitForTaskEndAsync(await h.Inner.PromptAsync(session, $"Remember {word}"));
        var second = await h.Inner.WaitForTaskEndAsync(await h.Inner.PromptAsync(session, "Which word?"));

        Assert.Equal("completed", first.GetProperty("status").GetString());
        Assert.Equal("completed", second.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("agent_session_id").GetString()));
        Assert.Equal(first.GetProperty("agent_session_id").GetString(), second.GetProperty("agent_session_id").GetString());
        Assert.Contains(word, h.Model.LastRequestText, StringComparison.Ordinal);
        Assert.Contains("Which word?", h.Model.LastRequestText, StringComparison.Ordinal);
    }

    [SkippableTheory(Timeout = 180_000)]
    [InlineData("codex")]
    [InlineData("gemini")]
    public async Task ThePromptInjectedAgentsShell_FindsNoOtherSession_NoHostTmp_NoDaemonFile_AndNoRealKey(string agent)
    {
        Bubblewrap.Require();

        // No $(...) in the probe: Gemini refuses command substitution in a shell command as an injection.
        await using var h = await AgentE2EHarness.StartAsync(agent);
        var secret = "other-session-" + Guid.NewGuid().ToString("N")[..12];
        var otherCwd = Directory.CreateTempSubdirectory("agor-other-work-").FullName;
        var hostTmp = Path.Combine(Path.GetTempPath(), "agor-host-tmp-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(otherCwd, "notes.txt"), secret + "\n");
            await File.WriteAllTextAsync(hostTmp, secret + "\n");
            var other = await h.CreateSessionAsync(otherCwd);
            var daemonHome = h.Inner.Daemon.Home;

            // The other session's agent home, as the daemon lays it out, with something of its own in it.
            var otherHome = Path.Combine(daemonHome, "agent-homes", other);
            Directory.CreateDirectory(otherHome);
            await File.WriteAllTextAsync(Path.Combine(otherHome, "planted.txt"), secret + "\n");
            var probe = string.Join("; ",
                $"cat {otherCwd}/notes.txt 2>&1 | head -c 200",
                $"cat {hostTmp} 2>&1 | head -c 200",
                $"cat {otherHome}/planted.txt 2>&1 | head -c 200",
                $"ls -A {daemonHome} 2>/dev/null | wc -l | sed 's/^/daemon=/'",
                "env | grep -iE 'key|token|auth' | cut -c1-120",
                "echo probed");
            h.Model.EnqueueShell(probe);
            h.Model.EnqueueText("Probed.");
            var session = await h.CreateSessionAsync();

            var taskId = await h.Inner.PromptAsync(session, "Look around");
            await h.DecideNextAsync(taskId, allow: true);
            var task = await h.Inner.WaitForTaskEndAsync(taskId);

            Assert.Equal("completed", task.GetProperty("status").GetString());
            Assert.True(task.GetProperty("sandbox").GetProperty("confined").GetBoolean());
            var seen = Assert.Single(h.Model.ToolOutputs, o => o.Contains("probed", StringComparison.Ordinal));
            Assert.DoesNotContain(secret, seen, StringComparison.Ordinal);
            Assert.Contains("daemon=0", seen, StringComparison.Ordinal);
            Assert.DoesNotContain(h.Model.RealKey, seen, StringComparison.Ordinal);
            Assert.DoesNotContain(h.Inner.Daemon.Token, seen, StringComparison.Ordinal);
            Assert.DoesNotContain(h.Inner.Options.ApiKey!, seen, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(otherCwd, recursive: true);
            File.Delete(hostTmp);
        }
    }

    /// <summary>The processes working in <paramref name="directory"/>: the agent and what it started.</summary>
    private static List<int> AgentProcessesIn(string directory)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var pid))
            {
                try
                {
                    if (new DirectoryInfo(Path.Combine(entry, "cwd")).ResolveLinkTarget(returnFinalTarget: false)?.FullName == directory)
                    {
                        found.Add(pid);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }
        }

        return found;
    }
}

using Agor.Cli.Tests.Support;
using Agor.Testing.Support;

namespace Agor.Cli.Tests;

/// <summary>
/// <c>agor prompt</c> and <c>agor task show</c> on Codex and Gemini sessions: a real daemon, the
/// agent's real CLI and its scripted model server. Each agent's own frames read as Claude Code's do:
/// the streamed answer on stdout, the shell call and its result on stderr.
/// </summary>
public sealed class AgentTranscriptTests
{
    [SkippableTheory(Timeout = 120_000)]
    [InlineData("codex", "exec_command")]
    [InlineData("gemini", "run_shell_command")]
    public async Task Prompt_StreamsTheAnswer_ShowsTheShellCall_AndTaskShowHasTheText(string agent, string shellTool)
    {
        await using var upstream = await AgentUpstream.StartAsync(agent);
        await using var h = await CliHarness.StartAsync(o => o with { Credentials = upstream.CredentialLines, Agents = upstream.AgentLines });
        var marker = Path.Combine(h.WorkingDirectory, "shell.txt");
        upstream
            .EnqueueText("Hello", " from ", agent, ".")
            .EnqueueShell("echo from-the-shell > shell.txt")
            .EnqueueText("Ran it.");
        var session = await h.CreateSessionAsync("--agent", agent);

        var hello = await h.Home.RunAsync("prompt", session, "Say hello");
        var taskId = (await h.Home.RunJsonAsync("task", "list", session))[0].GetProperty("id").GetString()!;
        var shown = await h.Home.RunAsync("task", "show", taskId);
        var shell = await h.Home.RunAsync(["prompt", session, "Write shell.txt"], stdin: "y\n");

        Assert.True(hello.ExitCode == 0, hello.ToString());
        Assert.Equal($"Hello from {agent}.", hello.Stdout.Trim());
        Assert.Contains("✓ completed", hello.Stderr, StringComparison.Ordinal);

        Assert.True(shown.ExitCode == 0, shown.ToString());
        var transcript = shown.Stdout[shown.Stdout.IndexOf("transcript:", StringComparison.Ordinal)..];
        Assert.Contains("> Say hello", transcript, StringComparison.Ordinal);
        Assert.Contains($"Hello from {agent}.", transcript, StringComparison.Ordinal);

        Assert.True(shell.ExitCode == 0, shell.ToString());
        Assert.Contains($"→ {shellTool} ", shell.Stderr, StringComparison.Ordinal);
        Assert.Contains("echo from-the-shell", shell.Stderr[shell.Stderr.IndexOf($"→ {shellTool}", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Contains("Ran it.", shell.Stdout, StringComparison.Ordinal);
        Assert.Equal("from-the-shell\n", await File.ReadAllTextAsync(marker));
    }
}

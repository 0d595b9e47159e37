using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Doctor;

/// <summary>The agent program: found as the daemon finds it, and answering <c>--version</c>.</summary>
internal static class AgentCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static async Task<ReadinessCheck> RunAsync(AgorConfig config, string? searchPath, CancellationToken cancellationToken = default)
    {
        var found = ReadinessChecks.Agent(config, searchPath);
        if (!found.Ok || AgentProgram.Resolve(config.Agents.ClaudeCodePath, searchPath) is not { } path)
        {
            return found;
        }

        var (exitCode, stdout, stderr) = await ProgramRun.RunAsync(path, ["--version"], Timeout, cancellationToken: cancellationToken);
        return exitCode == 0 && ProgramRun.FirstLine(stdout) is { } version
            ? ReadinessCheck.Pass("agent", $"{version} at {path}")
            : ReadinessCheck.Fail(
                "agent",
                $"`{path} --version` failed ({(exitCode == -1 ? "did not run" : $"exit code {exitCode}")}: {ProgramRun.FirstLine(stderr) ?? "no output"})",
                "reinstall Claude Code (npm install -g @anthropic-ai/claude-code; it needs node on PATH) or point agents.claude_code.path at a working one");
    }
}

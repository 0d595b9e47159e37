using Agor.Daemon.Configuration;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Doctor;

/// <summary>An agent program: found as the daemon finds it, and answering <c>--version</c>.</summary>
internal static class AgentCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static async Task<ReadinessCheck> RunAsync(AgorConfig config, string? searchPath, string agent = AgentSettings.ClaudeCode, CancellationToken cancellationToken = default)
    {
        var found = ReadinessChecks.Agent(config, searchPath, agent);
        if (!found.Ok || AgentProgram.Resolve(config.Agents.PathFor(agent)!, searchPath) is not { } path)
        {
            return found;
        }

        var (exitCode, stdout, stderr) = await ProgramRun.RunAsync(path, ["--version"], Timeout, cancellationToken: cancellationToken);
        return exitCode == 0 && ProgramRun.FirstLine(stdout) is { } version
            ? ReadinessCheck.Pass(found.Name, $"{version} at {path}")
            : ReadinessCheck.Fail(
                found.Name,
                $"`{path} --version` failed ({(exitCode == -1 ? "did not run" : $"exit code {exitCode}")}: {ProgramRun.FirstLine(stderr) ?? "no output"})",
                ReinstallFix(agent));
    }

    private static string ReinstallFix(string agent) => agent switch
    {
        AgentSettings.Codex => "reinstall Codex (npm install -g @openai/codex) or point agents.codex.path at a working one",
        AgentSettings.Gemini => "reinstall the Gemini CLI (npm install -g @google/gemini-cli; it needs node on PATH) or point agents.gemini.path at a working one",
        _ => "reinstall Claude Code (npm install -g @anthropic-ai/claude-code; it needs node on PATH) or point agents.claude_code.path at a working one",
    };
}

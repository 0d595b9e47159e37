namespace Agor.Executor.Agents.ClaudeCode;

/// <summary>The command line of Claude Code in headless streaming mode (see CLAUDE-CODE-HEADLESS.md).</summary>
internal static class ClaudeCodeArguments
{
    public static IReadOnlyList<string> For(AgentRunRequest request)
    {
        var arguments = new List<string>
        {
            "--output-format", "stream-json",
            "--input-format", "stream-json",
            "--verbose",
            "--permission-prompt-tool", "stdio",
            "--include-partial-messages",

            // Always explicit: a defaultMode in settings files must not change the mode we were given.
            "--permission-mode", request.PermissionMode,
        };
        if (request.Model is { Length: > 0 } model)
        {
            arguments.Add("--model");
            arguments.Add(model);
        }

        // `tools` is the set the agent may use at all (--tools); --allowedTools would pre-approve
        // them, so a Write in default mode would run without asking. Pre-approval comes only from
        // the daemon's separate, explicit field.
        if (request.Tools.Count > 0)
        {
            arguments.Add("--tools");
            arguments.Add(string.Join(',', request.Tools));
        }

        if (request.PreApprovedTools.Count > 0)
        {
            arguments.Add("--allowedTools");
            arguments.Add(string.Join(',', request.PreApprovedTools));
        }

        if (request.ResumeSessionId is { Length: > 0 } session)
        {
            arguments.Add("--resume");
            arguments.Add(session);
        }

        return arguments;
    }
}

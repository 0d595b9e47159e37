namespace Agor.Testing.Support;

/// <summary>The real Claude Code CLI: <c>AGOR_CLAUDE_PATH</c>, else <c>node_modules/.bin/claude</c> of the checkout, else <c>claude</c> on PATH.</summary>
public static class ClaudeCli
{
    public const string PathVariable = "AGOR_CLAUDE_PATH";
    public const string AllowMissingVariable = "AGOR_ALLOW_MISSING_CLAUDE";

    /// <summary>The CLI's path. A missing CLI fails the test, unless <c>AGOR_ALLOW_MISSING_CLAUDE=1</c>: then the test is skipped.</summary>
    public static string Require() => AgentCliLocator.Require("Claude Code", "claude", PathVariable, AllowMissingVariable);
}

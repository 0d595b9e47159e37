namespace Agor.Testing.Support;

/// <summary>The real Codex CLI: <c>AGOR_CODEX_PATH</c>, else <c>node_modules/.bin/codex</c> of the checkout, else <c>codex</c> on PATH.</summary>
public static class CodexCli
{
    public const string PathVariable = "AGOR_CODEX_PATH";
    public const string AllowMissingVariable = "AGOR_ALLOW_MISSING_CODEX";

    /// <summary>The CLI's path. A missing CLI fails the test, unless <c>AGOR_ALLOW_MISSING_CODEX=1</c>: then the test is skipped.</summary>
    public static string Require() => AgentCliLocator.Require("Codex", "codex", PathVariable, AllowMissingVariable);
}

namespace Agor.Testing.Support;

/// <summary>The real Gemini CLI: <c>AGOR_GEMINI_PATH</c>, else <c>node_modules/.bin/gemini</c> of the checkout, else <c>gemini</c> on PATH.</summary>
public static class GeminiCli
{
    public const string PathVariable = "AGOR_GEMINI_PATH";
    public const string AllowMissingVariable = "AGOR_ALLOW_MISSING_GEMINI";

    /// <summary>The CLI's path. A missing CLI fails the test, unless <c>AGOR_ALLOW_MISSING_GEMINI=1</c>: then the test is skipped.</summary>
    public static string Require() => AgentCliLocator.Require("Gemini", "gemini", PathVariable, AllowMissingVariable);
}

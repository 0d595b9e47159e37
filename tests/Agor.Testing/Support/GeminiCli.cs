using Xunit;

namespace Agor.Testing.Support;

/// <summary>
/// Finds the real Gemini CLI: env <c>AGOR_GEMINI_PATH</c>, else the one <c>npm ci</c> installed
/// at the repository root (package.json pins it), else <c>gemini</c> on PATH.
/// </summary>
public static class GeminiCli
{
    public const string PathVariable = "AGOR_GEMINI_PATH";
    public const string AllowMissingVariable = "AGOR_ALLOW_MISSING_GEMINI";

    /// <summary>
    /// The CLI's path. A missing CLI fails the test, unless <c>AGOR_ALLOW_MISSING_GEMINI=1</c>: then
    /// the test is reported as skipped.
    /// </summary>
    public static string Require()
    {
        var path = Find();
        if (path is not null)
        {
            return path;
        }

        var message = $"The Gemini CLI was not found: set {PathVariable} to its executable or put 'gemini' on PATH " +
            "(or run `npm ci` at the repository root).";
        Skip.If(Environment.GetEnvironmentVariable(AllowMissingVariable) == "1", message + $" Skipped because {AllowMissingVariable}=1.");
        throw new InvalidOperationException(message + $" Set {AllowMissingVariable}=1 to skip these tests instead.");
    }

    private static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return IsExecutable(configured)
                ? Path.GetFullPath(configured)
                : throw new InvalidOperationException($"{PathVariable}={configured} is not an executable file.");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Agor.slnx")))
            {
                var local = Path.Combine(directory.FullName, "node_modules", ".bin", "gemini");
                if (IsExecutable(local))
                {
                    return local;
                }

                break;
            }
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "gemini");
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}

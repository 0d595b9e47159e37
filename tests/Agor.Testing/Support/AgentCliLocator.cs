using Xunit;

namespace Agor.Testing.Support;

/// <summary>
/// Finds a real agent CLI the same way for every agent: its path variable, else the one
/// <c>npm ci</c> installed at the repository root (package.json pins it), else the command on PATH.
/// A missing CLI fails the test, unless the agent's allow-missing variable is 1: then it is skipped.
/// </summary>
internal static class AgentCliLocator
{
    public static string Require(string displayName, string command, string pathVariable, string allowMissingVariable)
    {
        if (Find(command, pathVariable) is { } path)
        {
            return path;
        }

        var message = $"The {displayName} CLI was not found: set {pathVariable} to its executable or put '{command}' on PATH " +
            "(or run `npm ci` at the repository root).";
        Skip.If(Environment.GetEnvironmentVariable(allowMissingVariable) == "1", message + $" Skipped because {allowMissingVariable}=1.");
        throw new InvalidOperationException(message + $" Set {allowMissingVariable}=1 to skip these tests instead.");
    }

    private static string? Find(string command, string pathVariable)
    {
        var configured = Environment.GetEnvironmentVariable(pathVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return IsExecutable(configured)
                ? Path.GetFullPath(configured)
                : throw new InvalidOperationException($"{pathVariable}={configured} is not an executable file.");
        }

        if (RepositoryRoot.Find() is { } root && Path.Combine(root, "node_modules", ".bin", command) is var local && IsExecutable(local))
        {
            return local;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(IsExecutable);
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}

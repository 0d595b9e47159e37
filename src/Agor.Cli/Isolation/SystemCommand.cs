using System.Diagnostics;

namespace Agor.Cli.Isolation;

/// <summary>The outcome of a system tool (useradd, visudo): exit code and what it printed.</summary>
internal sealed record SystemCommandResult(int ExitCode, string Output);

/// <summary>Runs system tools to completion, found in the usual sbin and bin directories.</summary>
internal static class SystemCommand
{
    private static readonly string[] Directories = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

    /// <summary>The full path of a tool, or null when it is not installed.</summary>
    public static string? Find(string name) => Directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    public static async Task<SystemCommandResult> RunAsync(string name, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var path = Find(name) ?? throw new CliException($"{name} is not installed (looked in {string.Join(", ", Directories)})");
        var startInfo = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new CliException($"could not run {path}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new SystemCommandResult(process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }
}

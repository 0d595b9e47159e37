using System.Diagnostics;
using Agor.Daemon.Configuration;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Executors;

/// <summary>
/// Decides once, at start, whether executors can run as another user: <c>sudo -n</c> must run
/// the executor as that user without a password. Where it cannot, isolation is off, loudly.
/// </summary>
internal static class ImpersonationDetector
{
    public static async Task<(ImpersonationMode Mode, string? SudoPath)> DetectAsync(
        ExecutionSettings settings, string executorPath, ILogger logger, CancellationToken cancellationToken = default)
    {
        if (!settings.RunAsUnixUser)
        {
            ExecutorPoolLog.DisabledByConfig(logger);
            return (ImpersonationMode.Disabled, null);
        }

        var problem = await FindProblemAsync(settings, executorPath, cancellationToken);
        if (problem is not null)
        {
            ExecutorPoolLog.SudoUnavailable(logger, problem);
            return (ImpersonationMode.Disabled, null);
        }

        ExecutorPoolLog.SudoMode(logger, settings.ExecutorUnixUser);
        return (ImpersonationMode.Sudo, FindSudo());
    }

    private static async Task<string?> FindProblemAsync(ExecutionSettings settings, string executorPath, CancellationToken cancellationToken)
    {
        if (FindSudo() is not { } sudo)
        {
            return "sudo is not installed";
        }

        if (UnixUser.Find(settings.ExecutorUnixUser) is null)
        {
            return $"the user '{settings.ExecutorUnixUser}' does not exist";
        }

        var probe = new ProcessStartInfo(sudo)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-n", "-u", settings.ExecutorUnixUser, "--", executorPath, "--version" })
        {
            probe.ArgumentList.Add(argument);
        }

        probe.Environment.Clear();
        probe.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        using var process = Process.Start(probe)!;
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0
                ? null
                : $"`sudo -n -u {settings.ExecutorUnixUser} -- {executorPath}` was refused ({(await stderr).Trim()})";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            process.Kill();
            return "the sudo check did not finish within 10 s";
        }
    }

    internal static string? FindSudo()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(directory => Path.Combine(directory, "sudo"))
            .FirstOrDefault(File.Exists);
    }
}

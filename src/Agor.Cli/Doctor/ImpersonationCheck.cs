using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Doctor;

/// <summary>With <c>run_as_unix_user</c>: <c>sudo -n</c> runs the executor as its user, as the daemon's pool checks at start.</summary>
internal static class ImpersonationCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<ReadinessCheck> RunAsync(ExecutionSettings settings, string executorPath, CancellationToken cancellationToken = default)
    {
        if (!settings.RunAsUnixUser)
        {
            return ReadinessChecks.Impersonation(settings, ImpersonationMode.Disabled);
        }

        var user = settings.ExecutorUnixUser;
        if (ImpersonationDetector.FindSudo() is not { } sudo)
        {
            return ReadinessCheck.Fail("impersonation", "execution.run_as_unix_user is true, but sudo is not installed", "apt-get install sudo, then " + ReadinessChecks.SudoFix);
        }

        if (UnixUser.Find(user) is null)
        {
            return ReadinessCheck.Fail("impersonation", $"execution.run_as_unix_user is true, but the user '{user}' does not exist", ReadinessChecks.SudoFix);
        }

        var path = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin" };
        var (exitCode, _, stderr) = await ProgramRun.RunAsync(sudo, ["-n", "-u", user, "--", executorPath, "--version"], Timeout, path, cancellationToken);
        return exitCode == 0
            ? ReadinessCheck.Pass("impersonation", $"sudo -n runs the executor as {user}")
            : ReadinessCheck.Fail("impersonation", $"`sudo -n -u {user} -- {executorPath} --version` was refused ({ProgramRun.FirstLine(stderr) ?? $"exit code {exitCode}"})", ReadinessChecks.SudoFix);
    }
}

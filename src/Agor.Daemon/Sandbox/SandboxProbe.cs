using System.Diagnostics;
using System.Text.Json;
using Agor.Daemon.Executors;

namespace Agor.Daemon.Sandbox;

/// <summary>
/// Runs <c>agor-executor --probe-sandbox --bwrap PATH</c> as executors are run: directly as the
/// daemon's user, or through <c>sudo -n -u USER</c> when executors run as another user. A sudo
/// that refuses the probe (an older sudoers rule) falls back to probing as the daemon's user, and
/// says so. Bounded: a probe that does not answer within the timeout is killed and counts as failed.
/// </summary>
internal static class SandboxProbe
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The result and, in words, whom it was run as.</summary>
    public static async Task<(SandboxProbeResult Result, string ProbedAs)> RunAsync(
        string executorPath, string bwrapPath, string? sudoPath, string? sudoUser, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        string[] probe = [executorPath, "--probe-sandbox", "--bwrap", bwrapPath];
        if (sudoPath is not null && sudoUser is not null)
        {
            var (viaSudo, exitCode) = await RunOnceAsync(sudoPath, ["-n", "-u", sudoUser, "--", .. probe], clearEnvironment: true, timeout, cancellationToken);
            if (viaSudo is not null)
            {
                return (viaSudo, $"{sudoUser} (through sudo)");
            }

            var (direct, _) = await RunOnceAsync(executorPath, probe[1..], clearEnvironment: false, timeout, cancellationToken);
            var own = Environment.UserName;
            return (
                direct ?? SandboxProbeResult.Failed($"the sandbox probe gave no answer (through sudo: exit code {exitCode})"),
                $"{own}, as sudo refused `{executorPath} --probe-sandbox` as {sudoUser} (exit code {exitCode}; run `agor setup-executor-isolation` again to allow it)");
        }

        var (result, code) = await RunOnceAsync(executorPath, probe[1..], clearEnvironment: false, timeout, cancellationToken);
        return (result ?? SandboxProbeResult.Failed($"the sandbox probe gave no answer (exit code {code})"), Environment.UserName);
    }

    /// <summary>The parsed line, or null with the exit code (-1: timed out or could not start) when there is none.</summary>
    private static async Task<(SandboxProbeResult? Result, int ExitCode)> RunOnceAsync(
        string fileName, IReadOnlyList<string> arguments, bool clearEnvironment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (clearEnvironment)
        {
            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, -1);
        }

        using (process)
        {
            process.StandardInput.Close();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
                var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
                await process.WaitForExitAsync(deadline.Token);
                await stderr;
                return process.ExitCode == 0 ? (Parse(await stdout), 0) : (null, process.ExitCode);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                return (SandboxProbeResult.Failed($"the sandbox probe did not answer within {timeout.TotalSeconds:0} s"), -1);
            }
        }
    }

    private static SandboxProbeResult Parse(string stdout)
    {
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (line is null)
        {
            return SandboxProbeResult.Failed("the sandbox probe printed nothing");
        }

        try
        {
            return JsonSerializer.Deserialize(line, SandboxJsonContext.Default.SandboxProbeResult)
                ?? SandboxProbeResult.Failed("the sandbox probe printed null");
        }
        catch (JsonException ex)
        {
            return SandboxProbeResult.Failed($"the sandbox probe printed something else than its JSON line ({ex.Message})");
        }
    }

    /// <summary>The sudo the pool uses, when executors run as another user.</summary>
    public static string? SudoFor(ImpersonationMode mode) => mode == ImpersonationMode.Sudo ? ImpersonationDetector.FindSudo() : null;
}

using System.Diagnostics;
using Agor.Daemon.Executors;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Executors;

/// <summary>
/// Only the process the daemon launched serves as its executor: the daemon judges the peer of its
/// socket by the kernel's word (SO_PEERCRED, /proc) before it sends a byte, and never signals a pid
/// an executor names. Directly and through sudo as another user (root needed for the latter).
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class ExecutorIdentityTests
{
    private const string ExecutorUser = "agor_executor";

    [SkippableFact(Timeout = 60_000)]
    public Task Impostor_BoundAtTheSocketPath_ReceivesNothing_AndTheAcquisitionFails() => ImpostorScenarioAsync(throughSudo: false);

    [SkippableFact(Timeout = 90_000)]
    public async Task Impostor_ThroughSudo_ReceivesNothing_AndTheAcquisitionFails()
    {
        Isolation.Require();
        await UnixUsers.EnsureAsync(ExecutorUser);
        await ImpostorScenarioAsync(throughSudo: true);
    }

    [SkippableFact(Timeout = 60_000)]
    public Task PingNamingAVictim_TheVictimIsAliveAfterTheExecutorIsKilled() => LyingPingScenarioAsync(throughSudo: false);

    [SkippableFact(Timeout = 90_000)]
    public async Task PingNamingAVictim_ThroughSudo_TheVictimIsAliveAfterTheExecutorIsKilled()
    {
        Isolation.Require();
        await UnixUsers.EnsureAsync(ExecutorUser);
        await LyingPingScenarioAsync(throughSudo: true);
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task RealExecutor_IsTrackedByTheKernelsPid()
    {
        await using var harness = await PoolHarness.StartAsync();
        await using var lease = await harness.Pool.AcquireAsync();

        Assert.Equal(lease.Executor.Process.Pid, lease.Pid);
        Assert.Equal(lease.Pid, (await lease.Client.PingAsync()).Pid);
    }

    [SkippableFact(Timeout = 90_000)]
    public async Task ThroughSudo_FromADaemonWithATerminal_SudosMonitorsChildIsAccepted()
    {
        // With `Defaults use_pty` (Debian's default) and a terminal, sudo puts a monitor between
        // itself and the executor; the executor is then the monitor's child, and still ours.
        Isolation.Require();
        Skip.If(!File.Exists("/usr/bin/script"), "this test needs script(1) from util-linux for a terminal");
        await UnixUsers.EnsureAsync(ExecutorUser);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "/usr/bin/dotnet";

        var result = await ProcessRunner.RunAsync("/usr/bin/script", ["-qec", $"'{dotnet}' '{TestBinaries.PoolProbeDll}' pool '{TestBinaries.ExecutorPath}' {ExecutorUser}", "/dev/null"]);

        Assert.True(result.ExitCode == 0, $"probe failed ({result.ExitCode}): {result.Stdout}");
        Assert.Contains("mode=Sudo", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"executor_user={ExecutorUser}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("executor_gone=True", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("is not the executor the daemon launched", result.Stdout, StringComparison.Ordinal);
    }

    private static async Task ImpostorScenarioAsync(bool throughSudo)
    {
        using var script = await HostileScriptAsync("impostor");
        await using var harness = await StartPoolAsync(script, throughSudo);

        var error = await Assert.ThrowsAsync<ExecutorStartException>(() => harness.Pool.AcquireAsync());

        Assert.Contains("is not the executor the daemon launched", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was sent to it", error.Message, StringComparison.Ordinal);
        var record = await WaitForFileAsync(harness.SocketDirectory, ".received", TimeSpan.FromSeconds(20));
        Assert.Equal("0", await File.ReadAllTextAsync(record));
        Assert.Contains(harness.Logger.Entries, e => e.Message.Contains("refused: the process at the socket", StringComparison.Ordinal));
        Assert.Empty(harness.Pool.Snapshot());
    }

    private static async Task LyingPingScenarioAsync(bool throughSudo)
    {
        using var victim = StartVictim();
        try
        {
            using var script = await HostileScriptAsync("lying-ping");
            await using var harness = await StartPoolAsync(script, throughSudo);
            await File.WriteAllTextAsync(Path.Combine(harness.SocketDirectory, "victim-pid"), victim.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

            var error = await Assert.ThrowsAsync<ExecutorStartException>(() => harness.Pool.AcquireAsync());

            Assert.Contains($"its ping names pid {victim.Id}", error.Message, StringComparison.Ordinal);
            Assert.Empty(harness.Pool.Snapshot());
            Assert.True(ProcessTable.IsRunning(victim.Id), "the daemon killed the process a lying ping named");
            Assert.Empty(ProcessTable.FindByCommandLine($"identity-attack lying-ping --socket {harness.SocketDirectory}"));
        }
        finally
        {
            victim.Kill();
            await victim.WaitForExitAsync();
        }
    }

    /// <summary>A bystander in a process group of its own, as another session's executor would be.</summary>
    private static Process StartVictim()
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        start.ArgumentList.Add("sleep");
        start.ArgumentList.Add("300");
        return Process.Start(start)!;
    }

    /// <summary>
    /// The executor_path of the pool: a script that becomes the attacking probe (exec, and setsid
    /// without a fork, keep the pid), in a process group of its own as the real executor is.
    /// </summary>
    private static async Task<TemporaryScript> HostileScriptAsync(string kind)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "/usr/bin/dotnet";
        return await TemporaryScript.CreateAsync("identity-attack-executor", $"#!/bin/sh\nexec setsid '{dotnet}' '{TestBinaries.PoolProbeDll}' identity-attack {kind} \"$@\"\n");
    }

    private static async Task<PoolHarness> StartPoolAsync(TemporaryScript script, bool throughSudo)
    {
        var harness = await PoolHarness.StartAsync(s => s with { RunAsUnixUser = throughSudo, ExecutorUnixUser = ExecutorUser }, script.Path);
        Assert.Equal(throughSudo ? ImpersonationMode.Sudo : ImpersonationMode.Disabled, harness.Pool.Mode);
        return harness;
    }

    private static async Task<string> WaitForFileAsync(string directory, string suffix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (true)
        {
            if (Directory.GetFiles(directory).FirstOrDefault(f => f.EndsWith(suffix, StringComparison.Ordinal)) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no *{suffix} in {directory} within {timeout}");
            }

            await timer.WaitForNextTickAsync();
        }
    }
}

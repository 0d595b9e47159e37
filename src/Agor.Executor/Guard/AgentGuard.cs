using System.ComponentModel;
using System.Diagnostics;
using Agor.Executor.Interop;

namespace Agor.Executor.Guard;

/// <summary>
/// Stands between the executor and its agent so that nothing of the agent outlives the executor.
/// Under isolation the daemon cannot signal the executor user's processes, and a SIGKILLed
/// executor cannot clean up; so the guard makes itself a child subreaper (every orphan of the
/// agent's tree becomes its child, whatever setsid or double fork the agent does), watches the
/// executor through a pidfd, and when the executor dies — or the agent exits — SIGKILLs every
/// remaining descendant until none is left. It runs the agent with its own stdio (the executor's
/// pipes) and the configured umask, and exits with the agent's code.
/// </summary>
internal static class AgentGuard
{
    /// <summary>Rounds of "find and kill the descendants" before giving up on a fork bomb that outruns us.</summary>
    private const int MaxKillRounds = 1000;

    public static int Run(AgentGuardOptions options)
    {
        // Our own group: the daemon's SIGKILL of the executor's group must leave us alive to end
        // what the agent started outside that group (setsid, setpgid).
        _ = Libc.setpgid(0, 0);
        _ = Libc.SetNotDumpable();
        if (!Libc.SetChildSubreaper())
        {
            Console.Error.WriteLine("agor-executor --agent-guard: prctl(PR_SET_CHILD_SUBREAPER) failed");
            return 70;
        }

        using var executor = Libc.PidfdOpen(options.ExecutorPid);

        // Opened, then checked: if our parent is already someone else, the executor is gone.
        if (executor is null || Libc.getppid() != options.ExecutorPid)
        {
            Console.Error.WriteLine("agor-executor --agent-guard: the executor is gone; the agent was not started");
            return 70;
        }

        // Everything the guard starts is inside the task's limits, so it joins them first.
        if (GuardSetup.JoinLimits(options) is { } problem)
        {
            Console.Error.WriteLine($"agor-executor --agent-guard: {problem}; the agent was not started");
            return 70;
        }

        IReadOnlyList<string> arguments = options.Arguments;
        if (options.Seccomp)
        {
            if (GuardSetup.SeccompFd() is not { } fd)
            {
                Console.Error.WriteLine("agor-executor --agent-guard: cannot hand the seccomp filter to bwrap (no filter for this architecture, or memfd_create failed); the agent was not started");
                return 70;
            }

            arguments = ["--seccomp", fd.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options.Arguments];
        }

        // Only the agent gets this umask: we create no files, and the executor keeps 077.
        _ = Libc.umask((uint)options.Umask);
        Process agent;
        try
        {
            var start = new ProcessStartInfo(options.Program) { UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            agent = Process.Start(start) ?? throw new Win32Exception($"could not start {options.Program}");
        }
        catch (Win32Exception ex)
        {
            Console.Error.WriteLine($"agor-executor --agent-guard: cannot run {options.Program}: {ex.Message}");
            return 127;
        }

        using (agent)
        {
            // A dedicated (background) thread blocks in poll() on the executor's pidfd.
            var executorDied = Task.Factory.StartNew(() => Libc.WaitUntilExited(executor), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Task.WaitAny(agent.WaitForExitAsync(), executorDied);

            // Either way nothing of the agent's tree stays: the agent itself, if the executor died,
            // and whatever it left running once it exited.
            KillDescendants();
            agent.WaitForExit();
            return agent.ExitCode;
        }
    }

    private static void KillDescendants()
    {
        var self = Environment.ProcessId;
        for (var round = 0; round < MaxKillRounds; round++)
        {
            var living = ProcessTree.LivingDescendantsOf(self);
            if (living.Count == 0)
            {
                return;
            }

            foreach (var pid in living)
            {
                _ = Libc.kill(pid, Libc.SigKill);
            }

            // Killed processes need a moment to become zombies; their orphans come to us meanwhile.
            Thread.Yield();
        }
    }
}

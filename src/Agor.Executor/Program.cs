using System.Runtime.InteropServices;
using Agor.Executor;
using Agor.Executor.Guard;
using Agor.Executor.Hosting;
using Agor.Executor.Interop;
using Agor.Executor.Logging;
using Microsoft.Extensions.Logging;

// The guard between the executor and its agent (see AgentGuard): nothing else of the executor runs.
if (args is [AgentGuardOptions.Switch, ..])
{
    if (AgentGuardOptions.Parse(args) is not { } guard)
    {
        await Console.Error.WriteLineAsync("usage: agor-executor --agent-guard --executor-pid PID [--umask OCTAL] -- PROGRAM [ARGS...]");
        return 64;
    }

    return AgentGuard.Run(guard);
}

// The sandbox's first process when its network is isolated: bridges its loopback ports to Unix sockets, then runs the agent.
if (args is [Agor.Executor.Network.NetForwarderOptions.Switch, ..])
{
    if (Agor.Executor.Network.NetForwarderOptions.Parse(args) is not { } forwarder)
    {
        await Console.Error.WriteLineAsync(Agor.Executor.Network.NetForwarderOptions.Usage);
        return 64;
    }

    return await Agor.Executor.Network.NetForwarder.RunAsync(forwarder);
}

// What the sandbox can do here (the daemon asks at start, as the executor's user).
if (args is [Agor.Executor.Sandbox.SandboxProbe.Switch, ..])
{
    return await Agor.Executor.Sandbox.SandboxProbe.RunAsync(args);
}

// An executor has one socket: its completions run inline on the thread that polls it rather than
// hopping to the thread pool (the ipc bench: the executor's side of a ping from 21 to 15 µs). Set
// before the first socket exists, which is when the runtime reads it; whoever launched us (sudo
// resets the environment) need not know.
Environment.SetEnvironmentVariable(RuntimeSettings.InlineSocketCompletions, "1");

if (args is ["--version"])
{
    Console.WriteLine($"agor-executor {typeof(ExecutorHost).Assembly.GetName().Version?.ToString(3)}");
    return 0;
}

var options = ExecutorOptions.Parse(args, (int)Libc.geteuid(), out var problem);
if (options is null)
{
    await Console.Error.WriteLineAsync($"agor-executor: {problem}\n{ExecutorOptions.Usage}");
    return 64;
}

// Our own process group, so that the whole tree can be signalled at once; files we create are
// private to our user (the socket is loosened on purpose where another user's daemon must reach it).
_ = Libc.setsid();
_ = Libc.umask(0x3F);

// Another session's agent runs as our user: it must not ptrace us or take our sockets out of /proc/PID/fd.
if (!Libc.SetNotDumpable())
{
    await Console.Error.WriteLineAsync("agor-executor: prctl(PR_SET_DUMPABLE, 0) failed");
    return 1;
}
if (options.DieWithParent)
{
    // Through sudo, a SIGKILL reaches sudo and not us: the kernel relays our parent's death.
    _ = Libc.SetParentDeathSignal(Libc.SigKill);
    if (Libc.getppid() == 1)
    {
        return 1;
    }
}

var minimumLevel = Environment.GetEnvironmentVariable("AGOR_EXECUTOR_LOG_LEVEL") is { } level && Enum.TryParse<LogLevel>(level, true, out var parsed)
    ? parsed
    : LogLevel.Information;
using var loggers = new StderrLoggerFactory(minimumLevel);
var logger = loggers.CreateLogger("executor");

using var stopping = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    ExecutorLog.Signal(logger, context.Signal.ToString());
    stopping.Cancel();
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

return await new ExecutorHost(options, loggers).RunAsync(stopping.Token);
